import { randomUUID } from 'node:crypto';
import { writeFileSync, renameSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  jwtVerify,
  createRemoteJWKSet,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CLIENTS, DEMO_KEY_CLIENT } from '@repo/contracts';
import { unsignedToken } from '@repo/testkit';
import { redisStore } from '../src/redis-store.js';
import { registry, type Registry } from '../src/registry.js';
import { perTest } from './support/per-test.js';
import type { RunningAuthServer } from './support/in-process.js';

const CLIENT = DEMO_KEY_CLIENT.id;
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const REFUSED = { error: 'invalid_client', error_description: 'client authentication failed' };

const { start, newDataDir } = perTest();

interface ClientKeyPair {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function newKey(kid: string): Promise<ClientKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    privateKey,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  };
}

/** Writes the client's public JWKS the way keys:client does: a new file renamed into place. */
function register(file: string, ...keys: ClientKeyPair[]): void {
  writeFileSync(`${file}.tmp`, JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
  renameSync(`${file}.tmp`, file);
}

let server: RunningAuthServer;
let jwksFile: string;
let current: ClientKeyPair;
let tokenEndpoint: string;

const now = () => Math.floor(Date.now() / 1000);

/** The claims a correct assertion has; each test changes what it attacks. */
function claims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: CLIENT,
    sub: CLIENT,
    aud: tokenEndpoint,
    jti: randomUUID(),
    iat: now(),
    exp: now() + 60,
    ...overrides,
  };
}

function sign(payload: JWTPayload, key: ClientKeyPair = current): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid: key.publicJwk.kid!, typ: 'JWT' })
    .sign(key.privateKey);
}

async function post(
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      audience: 'urn:worldmappers',
      ...params,
    }).toString(),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown>,
  };
}

const withAssertion = (assertion: string, extra: Record<string, string> = {}) =>
  post({ client_assertion_type: ASSERTION_TYPE, client_assertion: assertion, ...extra });

/** The whole refusal: 401, the body every client authentication failure gets, no challenge. */
function expectRefused(res: Awaited<ReturnType<typeof post>>): void {
  expect(res.status).toBe(401);
  expect(res.body).toEqual(REFUSED);
  expect(res.headers.get('www-authenticate')).toBeNull();
  expect(res.headers.get('cache-control')).toBe('no-store');
}

async function startWithKeys(
  env: Record<string, string> = {},
  pace?: { intervalSeconds: number; maxWaitSeconds: number },
) {
  const dir = newDataDir();
  jwksFile = join(dir, 'giftdeliveries-keys.jwks.json');
  current = await newKey('key-1');
  register(jwksFile, current);
  server = await start({
    env: { CLIENT_AUTH_MAX_FAILURES: '0', [DEMO_KEY_CLIENT.jwksFileEnv]: jwksFile, ...env },
    pace,
  });
  tokenEndpoint = `${server.issuer}token`;
}

describe('private_key_jwt (RFC 7523) at the token endpoint', () => {
  beforeEach(async () => {
    await startWithKeys();
  });

  it('advertises private_key_jwt and only asymmetric signing algorithms', async () => {
    const doc = (await (
      await fetch(`${server.url}/.well-known/openid-configuration`)
    ).json()) as Record<string, string[]>;
    expect(doc.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(doc.token_endpoint_auth_signing_alg_values_supported).toEqual([
      'ES256',
      'ES384',
      'PS256',
      'RS256',
      'EdDSA',
    ]);
  });

  it('issues a token for a correctly signed assertion, with aud = the token endpoint or the issuer', async () => {
    for (const aud of [tokenEndpoint, server.issuer]) {
      const res = await withAssertion(await sign(claims({ aud })), { client_id: CLIENT });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toMatchObject({
        token_type: 'Bearer',
        scope: 'geocode:location reverse-geocode:location directions',
      });
      const { payload } = await jwtVerify(
        res.body.access_token as string,
        createRemoteJWKSet(new URL(`${server.url}/jwks`)),
        { issuer: server.issuer, audience: 'urn:worldmappers' },
      );
      expect(payload).toMatchObject({ sub: CLIENT, client_id: CLIENT });
    }
    // The assertion never reaches a log.
    expect(server.logText()).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it('refuses an assertion signed by another key', async () => {
    const other = await newKey('key-1');
    expectRefused(await withAssertion(await sign(claims(), other)));
  });

  it('refuses an expired assertion', async () => {
    expectRefused(await withAssertion(await sign(claims({ iat: now() - 120, exp: now() - 60 }))));
  });

  it('refuses an assertion that lives too long, or claims to be issued in the future', async () => {
    expectRefused(await withAssertion(await sign(claims({ exp: now() + 3600 }))));
    expectRefused(await withAssertion(await sign(claims({ iat: now() + 120, exp: now() + 150 }))));
  });

  it('refuses a replayed assertion (the same jti), even after the provider is rebuilt for a new client key', async () => {
    const assertion = await sign(claims());
    expect((await withAssertion(assertion)).status).toBe(200);
    expectRefused(await withAssertion(assertion));
    // A reloaded JWKS builds a new provider instance; the replay store (the adapter) is shared.
    register(jwksFile, current, await newKey('key-2'));
    expectRefused(await withAssertion(assertion));
  });

  it('refuses an assertion for another audience', async () => {
    expectRefused(
      await withAssertion(await sign(claims({ aud: 'https://other.example/oauth/token' }))),
    );
  });

  it('refuses alg none', async () => {
    expectRefused(await withAssertion(unsignedToken({ kid: 'key-1', typ: 'JWT' }, claims())));
  });

  it('refuses HS256 keyed with the public key (algorithm confusion)', async () => {
    const pem = await exportSPKI((await importJWK(current.publicJwk, 'ES256')) as CryptoKey);
    for (const secret of [pem, JSON.stringify(current.publicJwk)]) {
      const forged = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256', kid: 'key-1', typ: 'JWT' })
        .sign(new TextEncoder().encode(secret));
      expectRefused(await withAssertion(forged));
    }
  });

  it('refuses an assertion without sub, and one whose iss is another client', async () => {
    expectRefused(await withAssertion(await sign(claims({ sub: undefined }))));
    expectRefused(await withAssertion(await sign(claims({ iss: DEMO_CLIENTS.giftdeliveries.id }))));
    expectRefused(await withAssertion(await sign(claims({ sub: DEMO_CLIENTS.giftdeliveries.id }))));
  });

  it('refuses a secret sent for a private_key_jwt client, in the body or as Basic', async () => {
    const secret = DEMO_CLIENTS.giftdeliveries.devSecret;
    expectRefused(await post({ client_id: CLIENT, client_secret: secret }));
    const basic = `Basic ${Buffer.from(`${CLIENT}:${secret}`).toString('base64')}`;
    const res = await post({}, { authorization: basic });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(REFUSED);
    expect(res.headers.get('www-authenticate')).toBe(
      `Basic realm="${server.issuer}", error="invalid_client", error_description="client authentication failed"`,
    );
  });

  it('refuses an assertion for a client that has a secret', async () => {
    expectRefused(
      await withAssertion(
        await sign(
          claims({ iss: DEMO_CLIENTS.giftdeliveries.id, sub: DEMO_CLIENTS.giftdeliveries.id }),
        ),
      ),
    );
  });

  it('refuses a valid assertion sent by a browser (Origin), as a wrong secret', async () => {
    const res = await post(
      { client_assertion_type: ASSERTION_TYPE, client_assertion: await sign(claims()) },
      { origin: 'https://evil.example' },
    );
    expectRefused(res);
  });

  it('answers malformed assertions with 400 invalid_request, never a 5xx', async () => {
    for (const assertion of [
      'not-a-jwt',
      'a.b.c',
      `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.e30.x`,
    ]) {
      const res = await withAssertion(assertion);
      expect(res.status).toBeLessThan(500);
      expect([400, 401]).toContain(res.status);
      expect(res.body.error).toBe(res.status === 400 ? 'invalid_request' : 'invalid_client');
    }
    const wrongType = await post({
      client_assertion_type: 'urn:other',
      client_assertion: await sign(claims()),
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toEqual({
      error: 'invalid_request',
      error_description: `client_assertion_type must have value ${ASSERTION_TYPE}`,
    });
  });

  it('rotates with overlap: old and new keys both work, the old is refused once removed', async () => {
    const next = await newKey('key-2');
    register(jwksFile, next, current);
    expect((await withAssertion(await sign(claims(), current))).status).toBe(200);
    expect((await withAssertion(await sign(claims(), next))).status).toBe(200);
    register(jwksFile, next);
    expectRefused(await withAssertion(await sign(claims(), current)));
    expect((await withAssertion(await sign(claims(), next))).status).toBe(200);
  });

  it('refuses every assertion while the client has no JWKS file, and logs how to fix it', async () => {
    const missing = await start({
      env: { [DEMO_KEY_CLIENT.jwksFileEnv]: join(newDataDir(), 'absent.json') },
    });
    const res = await fetch(`${missing.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: await sign({ ...claims(), aud: missing.issuer }),
      }).toString(),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(REFUSED);
    expect(missing.logs).toContainEqual(
      expect.objectContaining({
        message: 'client has no public keys yet: its assertions are refused',
        client_id: CLIENT,
      }),
    );
  });
});

describe('private_key_jwt with a jwks_uri', () => {
  it('never fetches a jwks_uri on a loopback or private address (SSRF): 401 invalid_client, no 5xx', async () => {
    const key = await newKey('published-1');
    let fetched = 0;
    const jwksServer = createServer((_req, res) => {
      fetched += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [key.publicJwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const { port } = jwksServer.address() as AddressInfo;
    try {
      const withUri: Registry = {
        ...registry,
        clients: [
          ...registry.clients,
          {
            id: 'partner-keys',
            name: 'Partner publishing its keys',
            enabled: true,
            publicKeys: { jwksUri: `http://127.0.0.1:${port}/jwks.json` },
            grants: { 'urn:worldmappers': ['geocode:location'] },
          },
        ],
      };
      server = await start({ registry: withUri, env: { CLIENT_AUTH_MAX_FAILURES: '0' } });
      tokenEndpoint = `${server.issuer}token`;
      const res = await withAssertion(
        await sign(claims({ iss: 'partner-keys', sub: 'partner-keys' }), key),
      );
      expectRefused(res);
      // oidc-provider refuses special-use addresses before connecting.
      expect(fetched).toBe(0);
    } finally {
      await new Promise((resolve) => jwksServer.close(resolve));
    }
  });
});

describe('private_key_jwt replicas on one Redis', () => {
  it(
    'refuses at one replica an assertion already used at the other',
    { timeout: 30_000 },
    async () => {
      const keyPrefix = `auth-server-test-${randomUUID()}`;
      const dir = newDataDir();
      jwksFile = join(dir, 'giftdeliveries-keys.jwks.json');
      current = await newKey('key-1');
      register(jwksFile, current);
      // One issuer for both, as behind a load balancer.
      const issuer = 'http://auth.replicas.test/';
      const env = { [DEMO_KEY_CLIENT.jwksFileEnv]: jwksFile };
      const a = await start({ env, issuer, store: redisStore({ url: REDIS_URL, keyPrefix }) });
      const b = await start({ env, issuer, store: redisStore({ url: REDIS_URL, keyPrefix }) });
      tokenEndpoint = `${issuer}token`;
      const assertion = await sign(claims());
      server = a;
      expect((await withAssertion(assertion)).status).toBe(200);
      server = b;
      expectRefused(await withAssertion(assertion));
      // Refused by oidc-provider's replay check, whose records both replicas keep in Redis.
      expect(b.logs).toContainEqual(
        expect.objectContaining({
          message: 'token refused',
          client_id: CLIENT,
          reason: 'client assertion tokens must only be used once',
        }),
      );
    },
  );
});

describe('private_key_jwt and the client authentication throttle', () => {
  it('counts refused assertions against the claimed client (its sub) and slows them', async () => {
    // After 2 failures, one guess per 10 s, none waiting longer than 1 s: the 4th is refused.
    await startWithKeys(
      { CLIENT_AUTH_MAX_FAILURES: '2' },
      { intervalSeconds: 10, maxWaitSeconds: 1 },
    );
    const other = await newKey('key-1');
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 6; i += 1) {
      last = await withAssertion(await sign(claims(), other));
      statuses.push(last.status);
      if (last.status === 429) break;
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(last!.status).toBe(429);
    expect(last!.body).toMatchObject({ error: 'too_many_attempts' });
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(server.logs).toContainEqual(
      expect.objectContaining({
        message: 'token refused',
        error: 'invalid_client',
        client_id: CLIENT,
      }),
    );
  }, 30_000);
});
