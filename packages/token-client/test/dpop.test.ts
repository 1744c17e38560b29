import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  attachTokenProvider,
  createDpopKey,
  createTokenProvider,
  proofTarget,
  TokenRequestError,
  useDpopNonce,
} from '../src/index.js';
import { fakeHttp, tokenNumber } from './fake-http.js';

const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z
const TOKEN_URL = 'http://auth.test/token';
const API = 'http://api.test';
const ath = (token: string) => createHash('sha256').update(token).digest('base64url');

async function verified(proof: string) {
  const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
    typ: 'dpop+jwt',
    algorithms: ['ES256'],
    currentDate: new Date(NOW * 1000),
  });
  return { payload, protectedHeader };
}

describe('createDpopKey', () => {
  it('signs an ES256 proof with htm, htu without query or fragment, iat, jti and ath', async () => {
    let n = 0;
    const key = await createDpopKey({ now: () => NOW, newJti: () => `jti-${++n}` });
    const proof = await key.proof({
      htm: 'get',
      htu: 'https://api.test/api/directions?origin=Oulu#top',
      accessToken: 'the-token',
    });
    const { payload, protectedHeader } = await verified(proof);
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicJwk });
    expect(payload).toEqual({
      htm: 'GET',
      htu: 'https://api.test/api/directions',
      iat: NOW,
      jti: 'jti-1',
      ath: ath('the-token'),
    });
    expect(await calculateJwkThumbprint(key.publicJwk)).toBe(key.thumbprint);
    // The public key only: no private part in the header.
    expect(Object.keys(key.publicJwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    const second = await verified(await key.proof({ htm: 'POST', htu: TOKEN_URL }));
    expect(second.payload).toEqual({ htm: 'POST', htu: TOKEN_URL, iat: NOW, jti: 'jti-2' });
  });

  it('uses the clock of each call for iat, and a new random jti for each proof', async () => {
    let now = NOW;
    const key = await createDpopKey({ now: () => now });
    const first = await verified(await key.proof({ htm: 'GET', htu: API }));
    now += 42;
    const second = await verified(await key.proof({ htm: 'GET', htu: API }));
    expect(second.payload.iat).toBe(first.payload.iat! + 42);
    expect(first.payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.payload.jti).not.toBe(first.payload.jti);
  });

  it('puts a nonce in the proof when given, and remembers nonces per origin', async () => {
    const key = await createDpopKey({ now: () => NOW });
    key.rememberNonce('http://auth.test/token', 'n-1');
    key.rememberNonce('http://auth.test/other', undefined);
    expect(key.nonceFor('http://auth.test/anything')).toBe('n-1');
    expect(key.nonceFor(API)).toBeUndefined();
    const { payload } = await verified(
      await key.proof({ htm: 'POST', htu: TOKEN_URL, nonce: 'n-1' }),
    );
    expect(payload.nonce).toBe('n-1');
  });

  it('makes a different key for each process (each call)', async () => {
    const [a, b] = await Promise.all([createDpopKey(), createDpopKey()]);
    expect(a.thumbprint).not.toBe(b.thumbprint);
  });
});

describe('proofTarget and useDpopNonce', () => {
  it('drops query and fragment only', () => {
    expect(proofTarget('http://api.test:7001/a/b?c=d#e')).toBe('http://api.test:7001/a/b');
  });

  it('reads a nonce request from a token endpoint (400) or a resource server (401)', () => {
    const nonce = { 'dpop-nonce': 'n' };
    expect(useDpopNonce(400, nonce, { error: 'use_dpop_nonce' })).toBe('n');
    expect(
      useDpopNonce(
        401,
        { ...nonce, 'www-authenticate': 'DPoP error="use_dpop_nonce", algs="ES256"' },
        {},
      ),
    ).toBe('n');
    expect(useDpopNonce(400, nonce, { error: 'invalid_dpop_proof' })).toBeUndefined();
    expect(useDpopNonce(400, {}, { error: 'use_dpop_nonce' })).toBeUndefined();
  });
});

describe('a token provider with a DPoP key', () => {
  it('sends a proof for the token endpoint, retries once with the nonce asked for, and keeps it', async () => {
    const key = await createDpopKey({ now: () => NOW });
    let issued = 0;
    const auth = fakeHttp(async (request) => {
      const { payload } = await verified(request.headers.dpop!);
      if (payload.nonce !== 'server-nonce') {
        return {
          status: 400,
          headers: { 'dpop-nonce': 'server-nonce' },
          data: {
            error: 'use_dpop_nonce',
            error_description: 'nonce is required in the DPoP proof',
          },
        };
      }
      issued++;
      return {
        status: 200,
        data: { access_token: tokenNumber(issued), token_type: 'DPoP', expires_in: 3600 },
      };
    });
    const tokens = createTokenProvider({
      clientId: 'c',
      clientSecret: 's',
      audience: 'urn:api',
      tokenEndpoint: TOKEN_URL,
      http: auth.http,
      dpop: key,
    });
    const token = await tokens.getToken();
    expect(token.tokenType).toBe('DPoP');
    expect(auth.requests).toHaveLength(2);
    const proofs = await Promise.all(auth.requests.map((r) => verified(r.headers.dpop!)));
    expect(proofs.map((p) => [p.payload.htm, p.payload.htu, p.payload.nonce])).toEqual([
      ['POST', TOKEN_URL, undefined],
      ['POST', TOKEN_URL, 'server-nonce'],
    ]);
    expect(proofs[0]!.payload.jti).not.toBe(proofs[1]!.payload.jti);
    expect(proofs[0]!.payload).not.toHaveProperty('ath');
    expect(tokens.dpop).toBe(key);
  });

  it('refuses a Bearer token when a DPoP one was asked for, naming TOKEN_BINDING', async () => {
    const key = await createDpopKey();
    const auth = fakeHttp(() => ({
      status: 200,
      data: { access_token: tokenNumber(1), token_type: 'Bearer', expires_in: 3600 },
    }));
    const tokens = createTokenProvider({
      clientId: 'c',
      clientSecret: 's',
      audience: 'urn:api',
      tokenEndpoint: TOKEN_URL,
      http: auth.http,
      dpop: key,
    });
    const error = await tokens.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRequestError);
    expect((error as TokenRequestError).code).toBe('dpop_not_issued');
    expect((error as TokenRequestError).variables).toContain('TOKEN_BINDING');
    expect((error as Error).message).toMatch(/not DPoP-bound.*token_type \\"Bearer\\"/);
    expect((error as Error).message).not.toContain(tokenNumber(1));
  });
});

describe('attachTokenProvider with a DPoP key', () => {
  async function setup(
    api: (
      headers: Record<string, string>,
      call: number,
    ) => { status: number; data?: unknown; headers?: Record<string, string> },
  ) {
    const key = await createDpopKey({ now: () => NOW });
    const auth = fakeHttp(() => ({
      status: 200,
      data: { access_token: tokenNumber(1), token_type: 'DPoP', expires_in: 3600 },
    }));
    const tokens = createTokenProvider({
      clientId: 'c',
      clientSecret: 's',
      audience: 'urn:api',
      tokenEndpoint: TOKEN_URL,
      http: auth.http,
      dpop: key,
    });
    const resource = fakeHttp((request) => api(request.headers, resource.requests.length));
    return { key, client: attachTokenProvider(resource.http, tokens), calls: resource.requests };
  }

  it('sends Authorization: DPoP and a fresh proof of the method and URL on every call', async () => {
    const { client, calls } = await setup(() => ({ status: 200, data: { ok: true } }));
    await client.get(`${API}/api/geocode`, { params: { address: 'Kyoto' } });
    await client.post(`${API}/api/things`, { a: 1 });
    expect(calls.map((c) => c.headers.authorization)).toEqual([
      `DPoP ${tokenNumber(1)}`,
      `DPoP ${tokenNumber(1)}`,
    ]);
    const proofs = await Promise.all(calls.map((c) => verified(c.headers.dpop!)));
    expect(proofs.map((p) => [p.payload.htm, p.payload.htu, p.payload.ath])).toEqual([
      ['GET', `${API}/api/geocode`, ath(tokenNumber(1))],
      ['POST', `${API}/api/things`, ath(tokenNumber(1))],
    ]);
    expect(proofs[0]!.payload.jti).not.toBe(proofs[1]!.payload.jti);
    expect(decodeProtectedHeader(calls[0]!.headers.dpop!).typ).toBe('dpop+jwt');
  });

  it('retries once with the nonce a resource server asks for, then uses it for that origin', async () => {
    const { client, calls } = await setup((headers) =>
      JSON.parse(Buffer.from(headers.dpop!.split('.')[1]!, 'base64url').toString()).nonce ===
      'api-n'
        ? { status: 200, data: { ok: true } }
        : {
            status: 401,
            headers: {
              'dpop-nonce': 'api-n',
              'www-authenticate':
                'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof", algs="ES256"',
            },
            data: { error: 'use_dpop_nonce' },
          },
    );
    const res = await client.get(`${API}/api/a`);
    expect(res.status).toBe(200);
    await client.get(`${API}/api/b`);
    expect(calls).toHaveLength(3);
    const nonces = await Promise.all(
      calls.map(async (c) => (await verified(c.headers.dpop!)).payload.nonce),
    );
    expect(nonces).toEqual([undefined, 'api-n', 'api-n']);
  });

  it('gives up after one nonce retry and returns the refusal', async () => {
    const refusal = {
      status: 401,
      headers: {
        'dpop-nonce': 'always-new',
        'www-authenticate': 'DPoP error="use_dpop_nonce", algs="ES256"',
      },
      data: { error: 'use_dpop_nonce' },
    };
    const { client, calls } = await setup(() => refusal);
    const error = await client.get(`${API}/api/a`).catch((e: unknown) => e);
    expect((error as { response?: { status: number } }).response?.status).toBe(401);
    expect(calls).toHaveLength(2);
  });
});
