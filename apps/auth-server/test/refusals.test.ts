import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthServer, type RunningAuthServer } from './support/in-process.js';
import { ALL_STYLES, requestToken } from './support/token-request.js';
import { DEMO_CLIENTS } from '@repo/contracts';

let server: RunningAuthServer;
const endpoint = () => `${server.url}/oauth/token`;

beforeAll(async () => {
  // Many wrong secrets below; the lockout has its own test.
  server = await startAuthServer({ env: { CLIENT_AUTH_MAX_FAILURES: '0' } });
});
afterAll(async () => {
  await server.close();
});

const post = (body: string | Buffer, headers: Record<string, string>, path = '/oauth/token') =>
  fetch(`${server.url}${path}`, { method: 'POST', headers, body });

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const json = { 'content-type': 'application/json' };
const storefront = `client_id=storefront&client_secret=${DEMO_CLIENTS.storefront.devSecret}`;

describe('policy refusals', () => {
  it.each(ALL_STYLES)(
    'refuses a wrong secret with 401 invalid_client ($body, $auth)',
    async (style) => {
      const res = await requestToken(
        endpoint(),
        { clientId: 'storefront', clientSecret: 'not-the-secret', api: 'urn:giftdeliveries' },
        style,
      );
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
      if (style.auth === 'client_secret_basic') {
        expect(res.headers.get('www-authenticate')).toBe(
          `Basic realm="${server.issuer}", error="invalid_client", error_description="client authentication failed"`,
        );
      }
    },
  );

  it('refuses an unknown client with 401 invalid_client', async () => {
    const res = await requestToken(endpoint(), {
      clientId: 'nobody',
      clientSecret: 'x',
      api: 'urn:worldmappers',
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
  });

  it('refuses scopes outside the grant with invalid_scope, naming them', async () => {
    const res = await requestToken(endpoint(), {
      clientId: 'store-locator',
      clientSecret: DEMO_CLIENTS['store-locator'].devSecret,
      api: 'urn:worldmappers',
      scope: 'geocode:location directions reverse-geocode:location',
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_scope',
      error_description:
        'client "store-locator" is not granted directions reverse-geocode:location on urn:worldmappers (granted: geocode:location)',
    });
  });

  it('refuses a scope no API defines with invalid_scope', async () => {
    const res = await requestToken(endpoint(), {
      clientId: 'storefront',
      clientSecret: DEMO_CLIENTS.storefront.devSecret,
      api: 'urn:giftdeliveries',
      scope: 'openid',
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_scope');
    expect(res.body.error_description).toContain('openid');
  });

  it('refuses an API the client is not granted with invalid_target', async () => {
    const res = await requestToken(endpoint(), {
      clientId: 'store-locator',
      clientSecret: DEMO_CLIENTS['store-locator'].devSecret,
      api: 'urn:giftdeliveries',
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_target',
      error_description:
        'client "store-locator" is not allowed to call urn:giftdeliveries (it may call urn:worldmappers)',
    });
  });

  it.each(['audience', 'resource'] as const)(
    'refuses an unknown API given as %s with invalid_target',
    async (target) => {
      const res = await requestToken(
        endpoint(),
        {
          clientId: 'giftdeliveries',
          clientSecret: DEMO_CLIENTS.giftdeliveries.devSecret,
          api: 'https://api.example.com/',
        },
        { body: 'json', auth: 'client_secret_post', target },
      );
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'invalid_target',
        error_description: 'unknown API "https://api.example.com/"',
      });
    },
  );

  it('refuses an API that is not an absolute URI with invalid_target', async () => {
    const res = await requestToken(endpoint(), {
      clientId: 'giftdeliveries',
      clientSecret: DEMO_CLIENTS.giftdeliveries.devSecret,
      api: 'worldmappers',
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_target',
      error_description: 'resource indicator must be an absolute URI',
    });
  });

  it.each(ALL_STYLES)(
    'refuses the disabled client with access_denied ($body, $auth, $target)',
    async (style) => {
      const res = await requestToken(
        endpoint(),
        {
          clientId: 'banned-partner',
          clientSecret: DEMO_CLIENTS['banned-partner'].devSecret,
          api: 'urn:worldmappers',
        },
        style,
      );
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'access_denied',
        error_description: 'client "banned-partner" is disabled',
      });
    },
  );

  it('refuses the disabled client even without an API', async () => {
    const res = await requestToken(endpoint(), {
      clientId: 'banned-partner',
      clientSecret: DEMO_CLIENTS['banned-partner'].devSecret,
    });
    expect(res.body.error).toBe('access_denied');
  });

  it('still answers invalid_client to the disabled client with a wrong secret', async () => {
    const res = await requestToken(endpoint(), {
      clientId: 'banned-partner',
      clientSecret: 'guess',
      api: 'urn:worldmappers',
    });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });
});

describe('malformed requests', () => {
  it('refuses an unknown grant type with unsupported_grant_type', async () => {
    const res = await post(`grant_type=password&${storefront}`, form);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'unsupported grant_type requested',
    });
  });

  it('refuses a request without grant_type with invalid_request', async () => {
    const res = await post(storefront, form);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: "missing required parameter 'grant_type'",
    });
  });

  it('refuses a request without client credentials with invalid_request', async () => {
    const res = await post('grant_type=client_credentials&audience=urn:worldmappers', form);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'no client authentication mechanism provided',
    });
  });

  it('refuses an empty POST with invalid_request', async () => {
    const res = await fetch(endpoint(), { method: 'POST' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('refuses malformed JSON with invalid_request', async () => {
    const res = await post('{"grant_type": "client_credentials",', json);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The request body is not valid JSON.',
    });
  });

  it.each(['[]', '"text"', 'null', '42'])(
    'refuses the JSON body %s with invalid_request',
    async (body) => {
      const res = await post(body, json);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: 'invalid_request',
        error_description: 'The JSON request body must be an object of parameters.',
      });
    },
  );

  it('refuses a JSON parameter that is an object with invalid_request', async () => {
    const res = await post(JSON.stringify({ grant_type: { a: 1 } }), json);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The parameter "grant_type" must be a string.',
    });
  });

  it('refuses an unsupported content type with invalid_request', async () => {
    const res = await post(`grant_type=client_credentials&${storefront}`, {
      'content-type': 'text/plain',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description:
        'The Content-Type "text/plain" is not supported: send application/x-www-form-urlencoded or application/json.',
    });
  });

  it('refuses a body that is not UTF-8 with invalid_request', async () => {
    const res = await post(Buffer.from([0x67, 0x3d, 0xff, 0xfe]), form);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The request body is not valid UTF-8.',
    });
  });

  it('refuses a non-UTF-8 charset with invalid_request', async () => {
    const res = await post(`grant_type=client_credentials&${storefront}`, {
      'content-type': 'application/x-www-form-urlencoded; charset=latin1',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error_description: string }).error_description).toBe(
      'The charset "latin1" is not supported: send UTF-8.',
    );
  });

  it('refuses an oversized body with 413 invalid_request', async () => {
    const res = await post(
      `grant_type=client_credentials&${storefront}&pad=${'a'.repeat(20_000)}`,
      form,
    );
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The request body is too large.',
    });
  });

  it.each([
    ['grant_type', `grant_type=client_credentials&grant_type=client_credentials&${storefront}`],
    [
      'scope',
      `grant_type=client_credentials&${storefront}&scope=deliveries:read&scope=deliveries:write`,
    ],
    ['client_id', `grant_type=client_credentials&${storefront}&client_id=storefront`],
  ])('refuses a duplicated %s parameter with invalid_request', async (name, body) => {
    const res = await post(body, form);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: `'${name}' parameter must not be provided twice`,
    });
  });

  it('refuses a duplicated audience with invalid_request', async () => {
    const res = await post(
      `grant_type=client_credentials&${storefront}&audience=urn:giftdeliveries&audience=urn:worldmappers`,
      form,
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'audience parameter must not be provided twice',
    });
  });

  it('refuses two different resources with invalid_target', async () => {
    const res = await post(
      `grant_type=client_credentials&${storefront}&resource=urn:giftdeliveries&resource=urn:worldmappers`,
      form,
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_target');
  });

  it('refuses audience and resource naming different APIs with invalid_request', async () => {
    const res = await post(
      `grant_type=client_credentials&${storefront}&audience=urn:giftdeliveries&resource=urn:worldmappers`,
      form,
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'Name the API once: send either audience or resource, not both.',
    });
  });

  it('accepts audience and resource naming the same API', async () => {
    const res = await post(
      `grant_type=client_credentials&${storefront}&audience=urn:giftdeliveries&resource=urn:giftdeliveries`,
      form,
    );
    expect(res.status).toBe(200);
  });

  it('refuses both client authentication methods at once with invalid_request', async () => {
    const res = await post(`grant_type=client_credentials&${storefront}`, {
      ...form,
      authorization: `Basic ${Buffer.from(`storefront:${DEMO_CLIENTS.storefront.devSecret}`).toString('base64')}`,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'client authentication must only be provided using one mechanism',
    });
  });

  it.each([
    'Basic',
    'Basic !!!',
    'Bearer abc',
    `Basic ${Buffer.from('no-colon').toString('base64')}`,
  ])('refuses the Authorization header "%s" with invalid_request', async (authorization) => {
    const res = await post('grant_type=client_credentials', { ...form, authorization });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('answers GET on the token endpoint with 405 and Allow: POST', async () => {
    const res = await fetch(endpoint());
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The token endpoint only accepts POST, not GET.',
    });
  });

  it('answers in JSON even to a client that prefers HTML', async () => {
    const res = await post(`grant_type=password&${storefront}`, { ...form, accept: 'text/html' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await res.json()) as { error: string }).error).toBe('unsupported_grant_type');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await fetch(`${server.url}/auth?response_type=code`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: 'not_found',
      error_description: 'No route for GET /auth.',
    });
  });

  it('never answers a 5xx to a barrage of odd requests', async () => {
    const bodies: [string, Record<string, string>][] = [
      ['', form],
      ['=', form],
      ['&&&', form],
      ['grant_type=', form],
      ['grant_type=client_credentials&client_id=', form],
      ['grant_type=client_credentials&client_id=storefront&client_secret=', form],
      ['grant_type=client_credentials&client_id=%ZZ&client_secret=x', form],
      [`grant_type=client_credentials&${storefront}&resource=`, form],
      [`grant_type=client_credentials&${storefront}&audience=`, form],
      [`grant_type=client_credentials&${storefront}&resource=urn:giftdeliveries%23frag`, form],
      [`grant_type=client_credentials&${storefront}&scope=%22`, form],
      [`grant_type=client_credentials&${storefront}&scope=+`, form],
      [`grant_type=client_credentials&${storefront}&authorization_details=%5B%5D`, form],
      [`grant_type=client_credentials&${storefront}&client_assertion=x`, form],
      ['{}', json],
      ['{"grant_type":null}', json],
      ['{"grant_type":["client_credentials"],"client_id":1,"client_secret":true}', json],
      [
        `{"grant_type":"client_credentials","scope":["deliveries:read"],"client_id":"storefront","client_secret":"${DEMO_CLIENTS.storefront.devSecret}"}`,
        json,
      ],
      ['{"__proto__":{"x":1},"constructor":"y"}', json],
      ['\u0000\u0001', json],
      ['<xml/>', { 'content-type': 'application/xml' }],
      ['x', { 'content-type': 'multipart/form-data; boundary=x' }],
      ['x', { 'content-type': 'garbage' }],
    ];
    for (const [body, headers] of bodies) {
      for (const path of ['/oauth/token', '/token']) {
        const res = await post(body, headers, path);
        expect(res.status, `${path} ${headers['content-type']} ${body}`).toBeLessThan(500);
        const parsed = (await res.json()) as Record<string, unknown>;
        if (res.status !== 200) {
          expect(Object.keys(parsed).sort(), body).toEqual(['error', 'error_description']);
        }
      }
    }
  });
});

describe('logs', () => {
  it('writes one line per issued token and per refusal, never a secret or a token', async () => {
    const before = server.logs.length;
    const issued = await requestToken(endpoint(), {
      clientId: 'storefront',
      clientSecret: DEMO_CLIENTS.storefront.devSecret,
      api: 'urn:giftdeliveries',
    });
    await requestToken(endpoint(), {
      clientId: 'storefront',
      clientSecret: DEMO_CLIENTS.storefront.devSecret,
      api: 'urn:giftdeliveries',
      scope: 'deliveries:admin',
    });
    const lines = server.logs.slice(before).filter((l) => l.message !== 'request');
    const token = issued.body.access_token as string;
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        message: 'token issued',
        client_id: 'storefront',
        audience: 'urn:giftdeliveries',
        scope: 'deliveries:read deliveries:write',
        jti,
        expires_in: 3600,
      }),
      expect.objectContaining({
        level: 'warn',
        message: 'token refused',
        error: 'invalid_scope',
        client_id: 'storefront',
        reason: expect.stringContaining('deliveries:admin'),
      }),
    ]);
    const text = server.logText();
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]);
    for (const secret of [
      DEMO_CLIENTS.storefront.devSecret,
      DEMO_CLIENTS.giftdeliveries.devSecret,
      'not-the-secret',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('logs an invalid_client refusal with the client id it claimed and why', async () => {
    const before = server.logs.length;
    await requestToken(
      endpoint(),
      { clientId: 'store-locator', clientSecret: 'wrong-one', api: 'urn:worldmappers' },
      { body: 'form', auth: 'client_secret_basic', target: 'resource' },
    );
    const refusal = server.logs.slice(before).find((l) => l.message === 'token refused');
    expect(refusal).toMatchObject({
      error: 'invalid_client',
      client_id: 'store-locator',
      reason: 'invalid secret provided',
    });
    expect(server.logText()).not.toContain('wrong-one');
  });

  it('logs the client id an unknown client claimed in its Basic header', async () => {
    const before = server.logs.length;
    await requestToken(
      endpoint(),
      { clientId: 'stranger', clientSecret: 'whatever', api: 'urn:worldmappers' },
      { body: 'json', auth: 'client_secret_basic', target: 'audience' },
    );
    const refusal = server.logs.slice(before).find((l) => l.message === 'token refused');
    expect(refusal).toMatchObject({
      error: 'invalid_client',
      client_id: 'stranger',
      reason: 'client not found',
    });
  });
});
