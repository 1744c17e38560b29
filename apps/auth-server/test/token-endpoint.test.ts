import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthServer, type RunningAuthServer } from './support/in-process.js';
import { ALL_STYLES, requestToken } from './support/token-request.js';
import { DEMO_CLIENTS } from '@repo/contracts';

let server: RunningAuthServer;
let discovery: Record<string, string>;

beforeAll(async () => {
  server = await startAuthServer();
  discovery = (await (
    await fetch(`${server.url}/.well-known/openid-configuration`)
  ).json()) as Record<string, string>;
});
afterAll(async () => {
  await server.close();
});

const giftdeliveries = {
  clientId: 'giftdeliveries',
  clientSecret: DEMO_CLIENTS.giftdeliveries.devSecret,
  api: 'urn:worldmappers',
};

describe('discovery', () => {
  it('publishes the issuer exactly as configured, with the token endpoint and the JWKS', () => {
    expect(discovery.issuer).toBe(server.issuer);
    expect(discovery.token_endpoint).toBe(`${server.url}/token`);
    expect(discovery.jwks_uri).toBe(`${server.url}/jwks`);
    expect(discovery.grant_types_supported).toEqual(['client_credentials']);
    expect(discovery.token_endpoint_auth_methods_supported).toEqual([
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
    ]);
  });

  it('serves the same JWKS at jwks_uri and at Auth0’s /.well-known/jwks.json, public keys only', async () => {
    const atUri = await (await fetch(discovery.jwks_uri!)).json();
    const atAuth0 = await (await fetch(`${server.url}/.well-known/jwks.json`)).json();
    expect(atAuth0).toEqual(atUri);
    const keys = (atUri as { keys: Record<string, unknown>[] }).keys;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
    expect(keys[0]).not.toHaveProperty('created_at');
  });

  it('also answers RFC 8414 authorization server metadata', async () => {
    const res = await fetch(`${server.url}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { issuer: string }).issuer).toBe(server.issuer);
  });

  it('answers its health check', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('is ready once it holds a signing key, in the readiness shape of every service', async () => {
    const { keys } = (await (await fetch(discovery.jwks_uri!)).json()) as {
      keys: { kid: string }[];
    };
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ready',
      checks: {
        keys: { status: 'ok', signingKid: keys[0]!.kid, published: 1 },
        counters: { status: 'ok', store: 'memory', shared: false },
      },
    });
  });
});

describe.each([
  ['the discovery token_endpoint', () => discovery.token_endpoint!],
  ['POST /oauth/token', () => `${server.url}/oauth/token`],
])('a token from %s', (_name, endpoint) => {
  it.each(ALL_STYLES)(
    'is issued for a $body body, $auth and the API as $target, and verifies against the served JWKS',
    async (style) => {
      const res = await requestToken(endpoint(), giftdeliveries, style);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toMatchObject({
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'geocode:location reverse-geocode:location directions',
      });
      const token = res.body.access_token as string;
      expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
      const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri!));
      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        issuer: server.issuer,
        audience: 'urn:worldmappers',
        typ: 'at+jwt',
        algorithms: ['RS256'],
      });
      expect(protectedHeader.kid).toBe((await server.keyRing.current()).signingKid);
      expect(payload).toMatchObject({
        iss: server.issuer,
        sub: 'giftdeliveries',
        aud: 'urn:worldmappers',
        client_id: 'giftdeliveries',
        scope: 'geocode:location reverse-geocode:location directions',
      });
      expect(payload.exp! - payload.iat!).toBe(3600);
      expect(typeof payload.jti).toBe('string');
    },
  );
});

describe('scopes', () => {
  const endpoint = () => `${server.url}/oauth/token`;

  it('gives every granted scope when none is asked for', async () => {
    const res = await requestToken(endpoint(), {
      clientId: 'storefront',
      clientSecret: DEMO_CLIENTS.storefront.devSecret,
      api: 'urn:giftdeliveries',
    });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('deliveries:read deliveries:write');
  });

  it('gives exactly the scopes asked for when they are a subset of the grant', async () => {
    const res = await requestToken(endpoint(), { ...giftdeliveries, scope: 'directions' });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('directions');
    const payload = JSON.parse(
      Buffer.from((res.body.access_token as string).split('.')[1]!, 'base64url').toString(),
    ) as Record<string, unknown>;
    expect(payload.scope).toBe('directions');
  });

  it('defaults the API of a client granted only one', async () => {
    const res = await requestToken(endpoint(), {
      clientId: 'store-locator',
      clientSecret: DEMO_CLIENTS['store-locator'].devSecret,
    });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('geocode:location');
  });
});
