import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorHandler } from '@repo/http';
import {
  dpopProofKey,
  startTestIssuer,
  testLogger,
  type ProofKey,
  type ProofOptions,
  type TestIssuer,
} from '@repo/testkit';
import {
  DPOP_BOUND_AS_BEARER,
  DPOP_PROOF_ALGS,
  DPOP_PROOF_MISSING,
  DPOP_PROOF_REPLAYED,
  DPOP_REQUIRED,
  DPOP_TOKEN_MISSING,
  DpopReplayStore,
  protectApi,
  type DpopMode,
} from '../src/index.js';

const AUDIENCE = 'urn:test';
const { logger, lines } = testLogger();
const realm = `realm="${AUDIENCE}"`;
const algs = `algs="${DPOP_PROOF_ALGS.join(' ')}"`;
/** The challenges of an API that allows both schemes, the error on the one the client used. */
const onDpop = (code: string, description: string) =>
  `Bearer ${realm}, DPoP ${realm}, error="${code}", error_description="${description.replace(/"/g, "'")}", ${algs}`;
const onBearer = (code: string, description: string) =>
  `Bearer ${realm}, error="${code}", error_description="${description.replace(/"/g, "'")}", DPoP ${realm}, ${algs}`;

let issuer: TestIssuer;
let key: ProofKey;
const servers: Server[] = [];
const apis: Record<DpopMode, { url: string; api: ReturnType<typeof protectApi> }> = {} as never;

async function serve(mode: DpopMode, configure?: (app: express.Express) => void) {
  const api = protectApi({
    issuerBaseURL: issuer.issuer,
    audience: AUDIENCE,
    logger,
    jwksCooldownMs: 0,
    dpop: mode,
  });
  const app = express();
  configure?.(app);
  app.get('/api/read', api.authenticate, api.requireScopes('things:read'), (req, res) => {
    res.json({ ok: true, client: req.auth?.payload.client_id });
  });
  app.use(errorHandler(logger));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, api };
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  key = await dpopProofKey();
  for (const mode of ['allowed', 'required', 'off'] as const) apis[mode] = await serve(mode);
});
afterAll(async () => {
  for (const server of servers) server.close();
  await issuer.close();
});
beforeEach(() => {
  lines.length = 0;
});

const boundToken = (jkt = key.jkt, scope = 'things:read') =>
  issuer.mint({ audience: AUDIENCE, scope, clientId: 'dpop-client', claims: { cnf: { jkt } } });

/** GET /api/read at the API of `mode` with `Authorization: DPoP <token>` and a proof. */
async function call(
  mode: DpopMode,
  token: string,
  proof: ProofOptions | string | null = {},
  path = '/api/read',
) {
  const { url } = apis[mode];
  const req = request(url).get(path).set('Authorization', `DPoP ${token}`);
  if (proof === null) return req;
  const jws =
    typeof proof === 'string'
      ? proof
      : await key.proof({ htm: 'GET', htu: `${url}/api/read`, accessToken: token, ...proof });
  return req.set('DPoP', jws);
}

describe('protectApi with DPoP (RFC 9449)', () => {
  it('accepts a DPoP-bound token with a fresh proof, and checks the proof of every request', async () => {
    const token = await boundToken();
    const before = apis.allowed.api.verificationCache!.stats();
    for (let i = 0; i < 3; i++) {
      const res = await call('allowed', token);
      expect(res.status).toBe(200);
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(res.body).toEqual({ ok: true, client: 'dpop-client' });
    }
    // Never answered from the cache, never stored: the proof is the request's own.
    const after = apis.allowed.api.verificationCache!.stats();
    expect(after.hits).toBe(before.hits);
    expect(after.stored).toBe(before.stored);
  });

  it('ignores the query and fragment of the URL for htu, and accepts a proof with a nonce-free iat', async () => {
    const token = await boundToken();
    const res = await call('allowed', token, {}, '/api/read?page=2');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, client: 'dpop-client' });
  });

  it('refuses the same token without its proof with 401 invalid_dpop_proof', async () => {
    const token = await boundToken();
    const res = await call('allowed', token, null);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(onDpop('invalid_dpop_proof', DPOP_PROOF_MISSING));
    expect(res.body).toEqual({
      error: 'invalid_dpop_proof',
      error_description: DPOP_PROOF_MISSING,
    });
  });

  it('refuses the bound token sent as Bearer with 401 invalid_token on the Bearer challenge', async () => {
    const token = await boundToken();
    const res = await request(apis.allowed.url)
      .get('/api/read')
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(onBearer('invalid_token', DPOP_BOUND_AS_BEARER));
    expect(res.body).toEqual({ error: 'invalid_token', error_description: DPOP_BOUND_AS_BEARER });
  });

  it.each<[string, (token: string) => Promise<ProofOptions | string>, string, string]>([
    [
      'for another method',
      async () => ({ htm: 'POST' }),
      'invalid_dpop_proof',
      'DPoP Proof htm mismatch',
    ],
    [
      'for another URL',
      async () => ({ htu: `${apis.allowed.url}/api/other` }),
      'invalid_dpop_proof',
      'DPoP Proof htu mismatch',
    ],
    [
      'too old (iat 61 s ago)',
      async () => ({ iat: Math.floor(Date.now() / 1000) - 61 }),
      'invalid_dpop_proof',
      'DPoP proof "iat" is outside the acceptable range',
    ],
    [
      'from the future (iat in 30 s)',
      async () => ({ iat: Math.floor(Date.now() / 1000) + 30 }),
      'invalid_dpop_proof',
      'DPoP proof "iat" is outside the acceptable range',
    ],
    [
      'without ath',
      async () => ({ accessToken: null }),
      'invalid_dpop_proof',
      'Missing "ath" claim in DPoP proof',
    ],
    [
      'with the ath of another token',
      async () => ({ accessToken: await boundToken() }),
      'invalid_dpop_proof',
      'DPoP Proof "ath" mismatch',
    ],
    [
      'of another typ',
      async () => ({ typ: 'JWT' }),
      'invalid_dpop_proof',
      'unexpected "typ" JWT header value',
    ],
    [
      'signed by another key than cnf.jkt',
      async (token) => {
        const other = await dpopProofKey();
        return other.proof({ htu: `${apis.allowed.url}/api/read`, accessToken: token });
      },
      'invalid_token',
      'JWT Access Token confirmation mismatch',
    ],
  ])('refuses a proof %s with 401', async (_name, shape, code, description) => {
    const token = await boundToken();
    const res = await call('allowed', token, await shape(token));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(onDpop(code, description));
    expect(res.body).toEqual({ error: code, error_description: description });
  });

  it('refuses a replayed proof (same jti) within its window, after accepting it once', async () => {
    const token = await boundToken();
    const proof = await key.proof({
      htu: `${apis.allowed.url}/api/read`,
      accessToken: token,
    });
    const first = await call('allowed', token, proof);
    expect(first.status).toBe(200);
    const replay = await call('allowed', token, proof);
    expect(replay.status).toBe(401);
    expect(replay.headers['www-authenticate']).toBe(
      onDpop('invalid_dpop_proof', DPOP_PROOF_REPLAYED),
    );
    expect(replay.body).toEqual({
      error: 'invalid_dpop_proof',
      error_description: DPOP_PROOF_REPLAYED,
    });
    expect(lines.filter((l) => l.audit === true).map((l) => l.decision)).toEqual(['allow', 'deny']);
  });

  it('refuses a proof without a token with 400 invalid_request', async () => {
    const res = await request(apis.allowed.url)
      .get('/api/read')
      .set('DPoP', await key.proof({ htu: `${apis.allowed.url}/api/read` }));
    expect(res.status).toBe(400);
    expect(res.headers['www-authenticate']).toBe(onBearer('invalid_request', DPOP_TOKEN_MISSING));
    expect(res.body).toEqual({ error: 'invalid_request', error_description: DPOP_TOKEN_MISSING });
  });

  it('refuses a plain (unbound) token sent with the DPoP scheme and a proof', async () => {
    const token = await issuer.mint({ audience: AUDIENCE, scope: 'things:read' });
    const res = await call('allowed', token);
    const description = 'JWT Access Token has no jkt confirmation claim';
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(onDpop('invalid_token', description));
    expect(res.body).toEqual({ error: 'invalid_token', error_description: description });
  });

  it('names insufficient_scope on the DPoP challenge for a DPoP request', async () => {
    const token = await boundToken(key.jkt, 'other');
    const res = await call('allowed', token);
    const description = 'The access token lacks the required scope: things:read.';
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer ${realm}, DPoP ${realm}, error="insufficient_scope", error_description="${description}", scope="things:read", ${algs}`,
    );
    expect(res.body).toEqual({ error: 'insufficient_scope', error_description: description });
  });

  it('builds htu from the forwarded protocol and host only where `trust proxy` says so', async () => {
    const behindProxy = await serve('allowed', (app) => app.set('trust proxy', 'loopback'));
    const token = await boundToken();
    const proof = await key.proof({ htu: 'https://api.example.com/api/read', accessToken: token });
    const res = await request(behindProxy.url)
      .get('/api/read')
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'api.example.com')
      .set('Authorization', `DPoP ${token}`)
      .set('DPoP', proof);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, client: 'dpop-client' });
    // Without trust proxy the same headers are ignored: the proof names another URL.
    const direct = await request(apis.allowed.url)
      .get('/api/read')
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'api.example.com')
      .set('Authorization', `DPoP ${token}`)
      .set(
        'DPoP',
        await key.proof({ htu: 'https://api.example.com/api/read', accessToken: token }),
      );
    expect(direct.status).toBe(401);
    expect(direct.body).toEqual({
      error: 'invalid_dpop_proof',
      error_description: 'DPoP Proof htu mismatch',
    });
  });

  describe('with dpop: required', () => {
    it('accepts a DPoP-bound token with its proof', async () => {
      const token = await boundToken();
      const res = await call('required', token, {
        htu: `${apis.required.url}/api/read`,
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true, client: 'dpop-client' });
    });

    it('refuses a plain Bearer token with 401 and the DPoP challenge alone', async () => {
      const token = await issuer.mint({ audience: AUDIENCE, scope: 'things:read' });
      const res = await request(apis.required.url)
        .get('/api/read')
        .set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(
        `DPoP ${realm}, error="invalid_token", error_description="${DPOP_REQUIRED.replace(/"/g, "'")}", ${algs}`,
      );
      expect(res.body).toEqual({ error: 'invalid_token', error_description: DPOP_REQUIRED });
    });

    it('answers a request without credentials with a bare DPoP challenge', async () => {
      const res = await request(apis.required.url).get('/api/read');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(`DPoP ${realm}, ${algs}`);
      expect(res.body).toEqual({
        error: 'invalid_token',
        error_description:
          'An access token is required: send it as "Authorization: Bearer <token>".',
      });
    });
  });

  describe('with dpop: off', () => {
    it('treats the DPoP scheme as an unknown one, with a bare Bearer challenge', async () => {
      const token = await boundToken();
      const res = await call('off', token, { htu: `${apis.off.url}/api/read` });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(`Bearer ${realm}`);
      expect(res.body.error).toBe('invalid_token');
    });
  });

  it('checks its DPoP options when built', () => {
    const base = { issuerBaseURL: issuer.issuer, audience: AUDIENCE, logger };
    expect(() => protectApi({ ...base, dpop: 'sometimes' as DpopMode })).toThrow(
      /dpop.mode must be one of allowed, required, off/,
    );
    expect(() => protectApi({ ...base, dpop: { iatOffsetSec: -1 } })).toThrow(/iatOffsetSec/);
    expect(() => protectApi({ ...base, dpop: { replayMaxEntries: 0 } })).toThrow(
      /replayMaxEntries/,
    );
  });
});

describe('DpopReplayStore', () => {
  it('says first use once per key within its time, and stays within its bound', () => {
    const store = new DpopReplayStore(2);
    expect(store.firstUse('a', 60_000)).toBe(true);
    expect(store.firstUse('a', 60_000)).toBe(false);
    expect(store.firstUse('b', 60_000)).toBe(true);
    expect(store.firstUse('c', 60_000)).toBe(true);
    expect(store.size).toBe(2);
  });
});
