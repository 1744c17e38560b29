import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  jwtVerify,
} from 'jose';
import { createIssuerMetadata } from '@repo/issuer-metadata';
import {
  CLIENT_ASSERTION_TYPE,
  ClientKeyError,
  createTokenProvider,
  generateClientKey,
  loadClientKey,
  signClientAssertion,
  TokenRequestError,
} from '../src/index.js';
import { fakeHttp, tokenNumber } from './fake-http.js';

const ISSUER = 'http://auth.test/';
const TOKEN_URL = 'http://auth.test/token';
const dir = mkdtempSync(join(tmpdir(), 'client-assertion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.useRealTimers();
});

let files = 0;
function file(content: string): string {
  const path = join(dir, `key-${(files += 1)}`);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

describe('loadClientKey', () => {
  it('reads a PKCS #8 PEM made by generateClientKey; its kid is the JWK thumbprint', async () => {
    const { privatePem, publicJwk } = await generateClientKey();
    expect(publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(publicJwk).not.toHaveProperty('d');
    expect(publicJwk.kid).toBe(await calculateJwkThumbprint(publicJwk));
    const key = await loadClientKey(file(privatePem));
    expect(key.kid).toBe(publicJwk.kid);
    expect(key.alg).toBe('ES256');
    expect(key.publicJwk).toEqual(publicJwk);
  });

  it('reads a private JWK and keeps its own kid', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'key-2026-12' };
    const key = await loadClientKey(file(JSON.stringify(jwk)));
    expect(key.kid).toBe('key-2026-12');
    expect(key.publicJwk).not.toHaveProperty('d');
  });

  it.each([
    [
      'a missing file',
      () => join(dir, 'missing.pem'),
      /missing\.pem does not exist \(create a key pair with npm run keys:client\)$/,
    ],
    ['a directory', () => dir, /cannot be read \(EISDIR\)$/],
    ['text that is no key', () => file('hello'), /is neither a PKCS #8 PEM .* nor a JWK \(JSON\)$/],
    [
      'a public key',
      async () => {
        const { publicKey } = await generateKeyPair('ES256', { extractable: true });
        return file(await exportSPKI(publicKey));
      },
      /holds a public key or certificate, not a private key$/,
    ],
    [
      'a public JWK',
      async () => file(JSON.stringify((await generateClientKey()).publicJwk)),
      /holds a public key, not a private key \(no "d"\)$/,
    ],
    [
      'an RSA key for ES256',
      async () => {
        const { privateKey } = await generateKeyPair('RS256', { extractable: true });
        return file(JSON.stringify(await exportJWK(privateKey)));
      },
      /holds a RSA key, which cannot sign ES256/,
    ],
  ])(
    'refuses %s with a ClientKeyError naming the file, never its content',
    async (_, make, message) => {
      const path = await make();
      const error = await loadClientKey(path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClientKeyError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toMatch(/"d":|MII|MIG/);
    },
  );

  it('refuses an unreadable file', async () => {
    if (process.getuid?.() === 0) return; // root reads everything
    const path = file((await generateClientKey()).privatePem);
    chmodSync(path, 0o000);
    await expect(loadClientKey(path)).rejects.toThrow(/cannot be read \(EACCES\)$/);
  });

  it('refuses a P-256 key when ES384 is asked', async () => {
    const path = file((await generateClientKey('ES256')).privatePem);
    await expect(loadClientKey(path, 'ES384')).rejects.toThrow(ClientKeyError);
  });
});

describe('signClientAssertion', () => {
  it('signs iss = sub = client id, aud = the token endpoint, a fresh jti, exp 60 s after iat (fake time)', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 3, 12, 0, 0) });
    const { privatePem, publicJwk } = await generateClientKey();
    const key = await loadClientKey(file(privatePem));
    const one = await signClientAssertion(key, {
      clientId: 'giftdeliveries-keys',
      audience: TOKEN_URL,
    });
    const two = await signClientAssertion(key, {
      clientId: 'giftdeliveries-keys',
      audience: TOKEN_URL,
    });
    expect(decodeProtectedHeader(one)).toEqual({ alg: 'ES256', kid: publicJwk.kid, typ: 'JWT' });
    const { payload } = await jwtVerify(one, createLocalJWKSet({ keys: [publicJwk] }), {
      audience: TOKEN_URL,
      issuer: 'giftdeliveries-keys',
      subject: 'giftdeliveries-keys',
      algorithms: ['ES256'],
      currentDate: new Date(),
    });
    const iat = Date.UTC(2026, 11, 3, 12, 0, 0) / 1000;
    expect(payload).toEqual({
      iss: 'giftdeliveries-keys',
      sub: 'giftdeliveries-keys',
      aud: TOKEN_URL,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      iat,
      exp: iat + 60,
    });
    const jtis = [one, two].map(
      (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).jti,
    );
    expect(jtis[0]).not.toBe(jtis[1]);
  });

  it('never signs for longer than 60 s, whatever is asked', async () => {
    const key = await loadClientKey(file((await generateClientKey()).privatePem));
    const jwt = await signClientAssertion(key, {
      clientId: 'c',
      audience: TOKEN_URL,
      now: 1_000_000_000,
      lifetimeSeconds: 3600,
    });
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
    expect(payload.exp - payload.iat).toBe(60);
  });
});

describe('createTokenProvider with private_key_jwt', () => {
  it('sends a new assertion for the discovered token endpoint with each request, and no secret', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 3, 12, 0, 0) });
    const { privatePem, publicJwk } = await generateClientKey();
    const clientKey = await loadClientKey(file(privatePem));
    let issued = 0;
    const { http, fetch, requests } = fakeHttp((request) => {
      if (request.url.endsWith('/.well-known/openid-configuration')) {
        return { status: 200, data: { issuer: ISSUER, token_endpoint: TOKEN_URL } };
      }
      issued += 1;
      return {
        status: 200,
        data: { access_token: tokenNumber(issued), token_type: 'Bearer', expires_in: 60 },
      };
    });
    const tokens = createTokenProvider({
      clientId: 'giftdeliveries-keys',
      clientKey,
      authMethod: 'private_key_jwt',
      audience: 'urn:worldmappers',
      issuerMetadata: createIssuerMetadata({ issuer: ISSUER, fetch }),
      http,
    });
    await tokens.getToken();
    vi.advanceTimersByTime(61_000);
    await tokens.getToken();
    const sent = requests.filter((r) => r.url === TOKEN_URL);
    expect(sent).toHaveLength(2);
    for (const request of sent) {
      expect(request.headers.authorization).toBeUndefined();
      expect(request.form).toEqual({
        grant_type: 'client_credentials',
        audience: 'urn:worldmappers',
        client_id: 'giftdeliveries-keys',
        client_assertion_type: CLIENT_ASSERTION_TYPE,
        client_assertion: expect.any(String) as string,
      });
      const { iat } = decodeJwt(request.form.client_assertion!);
      await jwtVerify(request.form.client_assertion!, createLocalJWKSet({ keys: [publicJwk] }), {
        audience: TOKEN_URL,
        currentDate: new Date(iat! * 1000),
      });
    }
    expect(sent[0]!.form.client_assertion).not.toBe(sent[1]!.form.client_assertion);
  });

  it('signs for the issuer instead when asked (Auth0 documents aud = https://tenant/)', async () => {
    const clientKey = await loadClientKey(file((await generateClientKey()).privatePem));
    const { http, fetch, requests } = fakeHttp((request) =>
      request.url.endsWith('/.well-known/openid-configuration')
        ? { status: 200, data: { issuer: ISSUER, token_endpoint: TOKEN_URL } }
        : { status: 200, data: { access_token: tokenNumber(1), expires_in: 60 } },
    );
    const tokens = createTokenProvider({
      clientId: 'c',
      clientKey,
      authMethod: 'private_key_jwt',
      assertionAudience: 'issuer',
      audience: 'urn:worldmappers',
      issuerMetadata: createIssuerMetadata({ issuer: ISSUER, fetch }),
      http,
    });
    await tokens.getToken();
    const sent = requests.find((r) => r.url === TOKEN_URL)!;
    expect(decodeJwt(sent.form.client_assertion!).aud).toBe(ISSUER);
  });

  it('explains a refused assertion by the key file, not a secret', async () => {
    const clientKey = await loadClientKey(file((await generateClientKey()).privatePem));
    const { http } = fakeHttp(() => ({
      status: 401,
      data: { error: 'invalid_client', error_description: 'client authentication failed' },
    }));
    const tokens = createTokenProvider({
      clientId: 'giftdeliveries-keys',
      clientKey,
      authMethod: 'private_key_jwt',
      audience: 'urn:worldmappers',
      tokenEndpoint: TOKEN_URL,
      http,
    });
    const error = (await tokens.getToken().catch((e: unknown) => e)) as TokenRequestError;
    expect(error).toBeInstanceOf(TokenRequestError);
    expect(error.variables).toEqual(['CLIENT_ID', 'CLIENT_PRIVATE_KEY_FILE', 'TOKEN_AUTH_METHOD']);
    expect(error.message).toContain('the public key of CLIENT_PRIVATE_KEY_FILE is registered');
  });

  it('needs a key for private_key_jwt and no secret', () => {
    const base = { clientId: 'c', audience: 'urn:a', tokenEndpoint: TOKEN_URL };
    expect(() => createTokenProvider({ ...base, authMethod: 'private_key_jwt' })).toThrow(
      'createTokenProvider: clientKey is required for private_key_jwt',
    );
    expect(() => createTokenProvider(base)).toThrow(
      'createTokenProvider: clientSecret is required',
    );
  });
});
