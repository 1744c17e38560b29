import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENTS } from '@repo/contracts';
import { decodeJwt, dpopProofKey, type ProofKey } from '@repo/testkit';
import { startAuthServer, type RunningAuthServer } from './support/in-process.js';

let server: RunningAuthServer;
let strict: RunningAuthServer;
let key: ProofKey;
beforeAll(async () => {
  [server, strict, key] = await Promise.all([
    startAuthServer(),
    startAuthServer({ env: { DPOP_REQUIRE_NONCE: 'true' } }),
    dpopProofKey(),
  ]);
});
afterAll(async () => {
  await Promise.all([server.close(), strict.close()]);
});

const FORM = `grant_type=client_credentials&client_id=storefront&client_secret=${DEMO_CLIENTS.storefront.devSecret}&audience=urn:giftdeliveries`;

/** A token request to `path` with `proof` in the DPoP header. */
async function tokenRequest(at: RunningAuthServer, proof: string, path = '/token') {
  const res = await fetch(`${at.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: proof },
    body: FORM,
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown>,
  };
}

const proofFor = (at: RunningAuthServer, options: Parameters<ProofKey['proof']>[0] = {}) =>
  key.proof({ htm: 'POST', htu: `${at.issuer}token`, ...options });

describe('DPoP at the token endpoint (RFC 9449 §5)', () => {
  it('advertises asymmetric proof algorithms in discovery', async () => {
    const discovery = (await (
      await fetch(`${server.url}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(discovery.dpop_signing_alg_values_supported).toEqual([
      'ES256',
      'ES384',
      'PS256',
      'EdDSA',
    ]);
  });

  it('issues a DPoP-bound token (token_type DPoP, cnf.jkt) for a valid proof, at both paths', async () => {
    for (const path of ['/token', '/oauth/token']) {
      const res = await tokenRequest(server, await proofFor(server), path);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        token_type: 'DPoP',
        scope: 'deliveries:read deliveries:write',
      });
      const { payload } = decodeJwt(res.body.access_token as string);
      expect(payload.cnf).toEqual({ jkt: key.jkt });
      expect(payload.client_id).toBe('storefront');
      // A nonce for the next proof, should the client's clock be off (RFC 9449 §8).
      expect(res.headers.get('dpop-nonce')).toMatch(/^[\w-]+$/);
    }
    expect(server.logs).toContainEqual(
      expect.objectContaining({
        message: 'token issued',
        client_id: 'storefront',
        token_type: 'DPoP',
      }),
    );
  });

  it('still issues a plain Bearer token without a proof', async () => {
    const res = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: FORM,
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(body.token_type).toBe('Bearer');
    expect(decodeJwt(body.access_token as string).payload.cnf).toBeUndefined();
  });

  it('refuses a replayed proof (same jti) through the adapter', async () => {
    const proof = await proofFor(server);
    expect((await tokenRequest(server, proof)).status).toBe(200);
    const replay = await tokenRequest(server, proof);
    expect(replay.status).toBe(400);
    expect(replay.body).toEqual({
      error: 'invalid_dpop_proof',
      error_description: 'DPoP proof JWT Replay detected',
    });
  });

  it.each<[string, () => Promise<string>, string]>([
    ['not a JWT', async () => 'not-a-proof', 'invalid DPoP key binding'],
    [
      'for another URL',
      () => proofFor(server, { htu: `${server.issuer}jwks` }),
      'DPoP proof htu mismatch',
    ],
    ['for another method', () => proofFor(server, { htm: 'GET' }), 'DPoP proof htm mismatch'],
    ['of another typ', () => proofFor(server, { typ: 'JWT' }), 'invalid DPoP key binding'],
    [
      'without a jti',
      () => proofFor(server, { claims: { jti: undefined } }),
      'DPoP proof must have a jti string property',
    ],
  ])(
    'answers a proof %s with 400 invalid_dpop_proof, never a 5xx',
    async (_name, proof, description) => {
      const res = await tokenRequest(server, await proof());
      expect(res.status).toBe(400);
      expect(res.headers.get('www-authenticate')).toBeNull();
      expect(res.body).toEqual({ error: 'invalid_dpop_proof', error_description: description });
    },
  );

  it('asks a proof with a stale iat for a nonce instead of refusing it outright', async () => {
    const res = await tokenRequest(
      server,
      await proofFor(server, { iat: Math.floor(Date.now() / 1000) - 600 }),
    );
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'use_dpop_nonce',
      error_description: 'DPoP proof iat is not recent enough, use a DPoP nonce instead',
    });
    const nonce = res.headers.get('dpop-nonce')!;
    const retried = await tokenRequest(
      server,
      await proofFor(server, { iat: Math.floor(Date.now() / 1000) - 600, nonce }),
    );
    expect(retried.status).toBe(200);
    expect(retried.body.token_type).toBe('DPoP');
  });

  it('with DPOP_REQUIRE_NONCE=true, answers use_dpop_nonce with a DPoP-Nonce, then accepts the nonce', async () => {
    const first = await tokenRequest(strict, await proofFor(strict));
    expect(first.status).toBe(400);
    expect(first.body).toEqual({
      error: 'use_dpop_nonce',
      error_description: 'nonce is required in the DPoP proof',
    });
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toMatch(/^[\w-]+$/);
    const second = await tokenRequest(strict, await proofFor(strict, { nonce: nonce! }));
    expect(second.status).toBe(200);
    expect(decodeJwt(second.body.access_token as string).payload.cnf).toEqual({ jkt: key.jkt });
    const forged = await tokenRequest(strict, await proofFor(strict, { nonce: 'made-up' }));
    expect(forged.status).toBe(400);
    expect(forged.body).toEqual({
      error: 'use_dpop_nonce',
      error_description: 'invalid nonce in DPoP proof',
    });
  });
});
