import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENTS } from '@repo/contracts';
import { registry } from '../src/registry.js';
import { startAuthServer, type RunningAuthServer } from './support/in-process.js';
import { requestToken } from './support/token-request.js';

let server: RunningAuthServer;
beforeAll(async () => {
  server = await startAuthServer({
    env: { CLIENT_AUTH_MAX_FAILURES: '0' },
    registry: {
      ...registry,
      clients: registry.clients.map((c) =>
        c.id === 'store-locator' ? { ...c, tokenQuotaPerHour: 2 } : c,
      ),
    },
  });
});
afterAll(async () => {
  await server.close();
});

const endpoint = () => `${server.url}/oauth/token`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const json = { 'content-type': 'application/json' };
const AUTH_FAILED = { error: 'invalid_client', error_description: 'client authentication failed' };

/** A raw request with any Host header (fetch would not send a malformed one). */
function rawGet(path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: 'GET',
        setHost: false,
        headers: { host },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('discovery', () => {
  it('names only what is served, built from the issuer whatever the Host', async () => {
    const res = await rawGet('/.well-known/openid-configuration', 'evil.example');
    expect(res.status).toBe(200);
    const doc = JSON.parse(res.body) as Record<string, unknown>;
    expect(doc).toEqual({
      issuer: server.issuer,
      token_endpoint: `${server.issuer}token`,
      jwks_uri: `${server.issuer}jwks`,
      scopes_supported: [
        'geocode:location',
        'reverse-geocode:location',
        'directions',
        'events:read',
        'deliveries:read',
        'deliveries:write',
      ],
      grant_types_supported: ['client_credentials'],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
      ],
      token_endpoint_auth_signing_alg_values_supported: [
        'ES256',
        'ES384',
        'PS256',
        'RS256',
        'EdDSA',
      ],
      claims_supported: [],
      dpop_signing_alg_values_supported: ['ES256', 'ES384', 'PS256', 'EdDSA'],
    });
    expect(res.body).not.toContain('evil.example');
    const oauth = await (
      await fetch(`${server.url}/.well-known/oauth-authorization-server`)
    ).json();
    expect(oauth).toEqual(doc);
  });

  it.each(['[::1', 'a:b:c', 'localhost:99999', '', 'a b'])(
    'answers the malformed Host "%s" with 400 invalid_request, never a 500',
    async (host) => {
      for (const path of ['/.well-known/openid-configuration', '/jwks', '/healthz']) {
        const res = await rawGet(path, host);
        expect(res.status, `${path} ${host}`).toBe(400);
        expect(JSON.parse(res.body)).toEqual({
          error: 'invalid_request',
          error_description: 'The Host header is not a valid host (RFC 9110 section 7.2).',
        });
      }
      expect(server.logText()).not.toMatch(/^\s+at /m);
      expect(server.logs.filter((l) => l.level === 'error')).toEqual([]);
    },
  );
});

describe('the token endpoint', () => {
  it('sends Pragma: no-cache with Cache-Control: no-store', async () => {
    const res = await requestToken(endpoint(), {
      clientId: 'storefront',
      clientSecret: DEMO_CLIENTS.storefront.devSecret,
      api: 'urn:giftdeliveries',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
  });

  it('answers a forged DPoP header with 400 invalid_dpop_proof, not a token (see dpop.test.ts)', async () => {
    const withProof = await fetch(endpoint(), {
      method: 'POST',
      headers: { ...form, dpop: 'eyJhbGciOiJFUzI1NiJ9.e30.sig' },
      body: `grant_type=client_credentials&client_id=storefront&client_secret=${DEMO_CLIENTS.storefront.devSecret}&audience=urn:giftdeliveries`,
    });
    expect(withProof.status).toBe(400);
    expect(await withProof.json()).toEqual({
      error: 'invalid_dpop_proof',
      error_description: 'invalid DPoP key binding',
    });
  });

  it('refuses duplicate keys in a JSON body like duplicate form parameters', async () => {
    const res = await fetch(endpoint(), {
      method: 'POST',
      headers: json,
      body: '{"grant_type":"client_credentials","client_id":"storefront","client_id":"giftdeliveries","client_secret":"x"}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: "'client_id' parameter must not be provided twice",
    });
  });

  it('keys inside strings and nested values are not duplicates', async () => {
    const res = await fetch(endpoint(), {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: 'storefront',
        client_secret: DEMO_CLIENTS.storefront.devSecret,
        audience: 'urn:giftdeliveries',
        scope: ['deliveries:read', 'deliveries:read'],
      }),
    });
    expect(res.status).toBe(200);
  });

  it('answers a body that is not what its Content-Encoding says with a clean invalid_request', async () => {
    const res = await fetch(endpoint(), {
      method: 'POST',
      headers: { ...form, 'content-encoding': 'gzip' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      error: 'invalid_request',
      error_description: 'The request body could not be decoded as Content-Encoding "gzip".',
    });
    expect(text).not.toContain('incorrect header check');
    const ok = await fetch(endpoint(), {
      method: 'POST',
      headers: { ...form, 'content-encoding': 'gzip' },
      body: gzipSync(
        `grant_type=client_credentials&client_id=storefront&client_secret=${DEMO_CLIENTS.storefront.devSecret}&audience=urn:giftdeliveries`,
      ),
    });
    expect(ok.status).toBe(200);
  });

  it('answers an empty form body with what is really missing', async () => {
    for (const headers of [form, json]) {
      const res = await fetch(endpoint(), { method: 'POST', headers, body: '' });
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({
        error: 'invalid_request',
        error_description: 'no client authentication mechanism provided',
      });
      expect(text).not.toContain('is not supported');
    }
  });
});

describe('no enumeration', () => {
  const attempt = (clientId: string, secret: string, headers: Record<string, string> = {}) =>
    fetch(endpoint(), {
      method: 'POST',
      headers: { ...form, ...headers },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: secret,
        audience: 'urn:giftdeliveries',
      }).toString(),
    });
  const shape = async (res: Response) => ({
    status: res.status,
    body: await res.json(),
    headers: Object.fromEntries(
      [...res.headers].filter(([name]) => !['date', 'x-request-id'].includes(name)),
    ),
  });

  it('answers unknown client, wrong secret and any Origin (even with the right secret) identically', async () => {
    const answers = [
      await shape(await attempt('nobody', 'guess')),
      await shape(await attempt('storefront', 'guess')),
      await shape(await attempt('storefront', 'guess', { origin: 'https://evil.example' })),
      await shape(await attempt('nobody', 'guess', { origin: 'https://evil.example' })),
      await shape(
        await attempt('storefront', DEMO_CLIENTS.storefront.devSecret, {
          origin: 'https://evil.example',
        }),
      ),
    ];
    expect(answers[0]!.status).toBe(401);
    expect(answers[0]!.body).toEqual(AUTH_FAILED);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(JSON.stringify(answers)).not.toContain('storefront');
    expect(server.logs).toContainEqual(
      expect.objectContaining({
        message: 'token refused',
        error: 'invalid_client',
        client_id: 'storefront',
        reason: expect.stringContaining('Origin header'),
      }),
    );
  });
});

describe('the token quota', () => {
  it('gives a client its tokenQuotaPerHour, then 429 too_many_requests with Retry-After', async () => {
    const ask = () =>
      requestToken(endpoint(), {
        clientId: 'store-locator',
        clientSecret: DEMO_CLIENTS['store-locator'].devSecret,
        api: 'urn:worldmappers',
      });
    expect((await ask()).status).toBe(200);
    expect((await ask()).status).toBe(200);
    const refused = await ask();
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(refused.body).toEqual({
      error: 'too_many_requests',
      error_description: expect.stringMatching(
        /^client "store-locator" has used its quota of 2 tokens per hour; try again in \d+ s$/,
      ),
    });
    // Wrong secrets do not spend anyone's quota; other clients keep theirs.
    const other = await requestToken(endpoint(), {
      clientId: 'giftdeliveries',
      clientSecret: DEMO_CLIENTS.giftdeliveries.devSecret,
      api: 'urn:worldmappers',
    });
    expect(other.status).toBe(200);
  });
});
