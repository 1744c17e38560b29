/**
 * Abuse of the token endpoint over real HTTP, against a real auth-server process (default
 * settings, its failed-authentication lockout included): every wrong request gets its documented
 * RFC 6749 §5.2 error, never a 5xx, never a stack trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoStack, type DemoStack } from 'demo-stack';
import { rawRequest } from '../../src/raw-http.js';
import { STACK_TRACE } from '../../src/tokens.js';
import { DEMO_CLIENTS } from '@repo/contracts';

let stack: DemoStack;
let endpoint: string;

beforeAll(async () => {
  stack = await startDemoStack({ services: ['auth-server'], commonEnv: { LOG_LEVEL: 'info' } });
  endpoint = `${stack.issuer}oauth/token`;
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
const giftdeliveries = {
  client_id: 'giftdeliveries',
  client_secret: DEMO_CLIENTS.giftdeliveries.devSecret,
};
const clientCredentials = { grant_type: 'client_credentials', ...giftdeliveries };
/** A client_credentials request of storefront for giftdeliveries' API, with `secret`. */
const storefrontForm = (secret: string) =>
  form({
    grant_type: 'client_credentials',
    client_id: 'storefront',
    client_secret: secret,
    audience: 'urn:giftdeliveries',
  });

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

async function post(
  contentType: string | undefined,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text), text };
}

function expectOAuthError(
  res: Answer,
  status: number,
  error: string,
  description: string,
  challenge: string | null = null,
) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(res.headers.get('www-authenticate')).toBe(challenge);
  expect(res.body).toEqual({ error, error_description: description });
  expect(res.text).not.toMatch(STACK_TRACE);
}

const AUTH_FAILED = 'client authentication failed';

describe('the token endpoint refuses abuse with its documented OAuth error', () => {
  it('refuses a wrong secret sent in the body with 401 invalid_client', async () => {
    const res = await post(FORM, storefrontForm('guess'));
    expectOAuthError(res, 401, 'invalid_client', AUTH_FAILED);
  });

  it('refuses a wrong secret sent with HTTP Basic with 401 invalid_client and a Basic challenge', async () => {
    const res = await post(FORM, form({ grant_type: 'client_credentials' }), {
      authorization: basic('storefront', 'guess'),
    });
    expectOAuthError(
      res,
      401,
      'invalid_client',
      AUTH_FAILED,
      `Basic realm="${stack.issuer}", error="invalid_client", error_description="${AUTH_FAILED}"`,
    );
  });

  it('refuses a client id without any secret with 401 invalid_client', async () => {
    const res = await post(
      FORM,
      form({
        grant_type: 'client_credentials',
        client_id: 'storefront',
        audience: 'urn:giftdeliveries',
      }),
    );
    expectOAuthError(res, 401, 'invalid_client', AUTH_FAILED);
  });

  it('refuses an unknown client with the same 401 invalid_client (no hint that it does not exist)', async () => {
    const res = await post(
      JSON_TYPE,
      JSON.stringify({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' }),
    );
    expectOAuthError(res, 401, 'invalid_client', AUTH_FAILED);
  });

  it('refuses the disabled client, with its right secret, with access_denied (the "ban one client" rule)', async () => {
    const res = await post(
      JSON_TYPE,
      JSON.stringify({
        grant_type: 'client_credentials',
        client_id: 'banned-partner',
        client_secret: DEMO_CLIENTS['banned-partner'].devSecret,
        audience: 'urn:worldmappers',
      }),
    );
    expectOAuthError(res, 400, 'access_denied', 'client "banned-partner" is disabled');
  });

  it('refuses the disabled client with a wrong secret as invalid_client: authentication comes first', async () => {
    const res = await post(
      JSON_TYPE,
      JSON.stringify({
        grant_type: 'client_credentials',
        client_id: 'banned-partner',
        client_secret: 'x',
      }),
    );
    expectOAuthError(res, 401, 'invalid_client', AUTH_FAILED);
  });

  it('refuses both authentication methods at once with invalid_request', async () => {
    const res = await post(FORM, form({ ...clientCredentials, audience: 'urn:worldmappers' }), {
      authorization: basic('giftdeliveries', DEMO_CLIENTS.giftdeliveries.devSecret),
    });
    expectOAuthError(
      res,
      400,
      'invalid_request',
      'client authentication must only be provided using one mechanism',
    );
  });

  it('refuses a body client_id that contradicts the Basic credentials with invalid_request', async () => {
    const res = await post(
      FORM,
      form({
        grant_type: 'client_credentials',
        client_id: 'storefront',
        audience: 'urn:worldmappers',
      }),
      { authorization: basic('giftdeliveries', DEMO_CLIENTS.giftdeliveries.devSecret) },
    );
    expectOAuthError(res, 400, 'invalid_request', 'client_id mismatch');
  });

  it.each([
    'password',
    'authorization_code',
    'refresh_token',
    'urn:ietf:params:oauth:grant-type:jwt-bearer',
  ])('refuses grant_type=%s with unsupported_grant_type', async (grant) => {
    const res = await post(
      FORM,
      form({ ...giftdeliveries, grant_type: grant, username: 'a', password: 'b', code: 'c' }),
    );
    expectOAuthError(res, 400, 'unsupported_grant_type', 'unsupported grant_type requested');
  });

  it('refuses a request without grant_type with invalid_request', async () => {
    const res = await post(FORM, form({ ...giftdeliveries, audience: 'urn:worldmappers' }));
    expectOAuthError(res, 400, 'invalid_request', "missing required parameter 'grant_type'");
  });

  it('refuses a scope beyond the grant with invalid_scope, naming it', async () => {
    const res = await post(
      FORM,
      form({
        grant_type: 'client_credentials',
        client_id: 'store-locator',
        client_secret: DEMO_CLIENTS['store-locator'].devSecret,
        audience: 'urn:worldmappers',
        scope: 'geocode:location directions',
      }),
    );
    expectOAuthError(
      res,
      400,
      'invalid_scope',
      'client "store-locator" is not granted directions on urn:worldmappers (granted: geocode:location)',
    );
  });

  it('refuses an unknown audience with invalid_target', async () => {
    const res = await post(
      JSON_TYPE,
      JSON.stringify({ ...clientCredentials, audience: 'https://api.example.com/' }),
    );
    expectOAuthError(res, 400, 'invalid_target', 'unknown API "https://api.example.com/"');
  });

  it('refuses an API the client is not granted with invalid_target', async () => {
    const res = await post(
      JSON_TYPE,
      JSON.stringify({
        grant_type: 'client_credentials',
        client_id: 'store-locator',
        client_secret: DEMO_CLIENTS['store-locator'].devSecret,
        resource: 'urn:giftdeliveries',
      }),
    );
    expectOAuthError(
      res,
      400,
      'invalid_target',
      'client "store-locator" is not allowed to call urn:giftdeliveries (it may call urn:worldmappers)',
    );
  });

  it('refuses audience and resource naming different APIs with invalid_request', async () => {
    const res = await post(
      FORM,
      form({ ...clientCredentials, audience: 'urn:worldmappers', resource: 'urn:giftdeliveries' }),
    );
    expectOAuthError(
      res,
      400,
      'invalid_request',
      'Name the API once: send either audience or resource, not both.',
    );
  });

  it('refuses malformed JSON with invalid_request', async () => {
    const res = await post(JSON_TYPE, '{"grant_type": "client_credentials", ');
    expectOAuthError(res, 400, 'invalid_request', 'The request body is not valid JSON.');
  });

  it('refuses a JSON array with invalid_request', async () => {
    const res = await post(JSON_TYPE, '["grant_type", "client_credentials"]');
    expectOAuthError(
      res,
      400,
      'invalid_request',
      'The JSON request body must be an object of parameters.',
    );
  });

  it('refuses an object where a string belongs (operator injection) with invalid_request', async () => {
    const res = await post(
      JSON_TYPE,
      JSON.stringify({
        grant_type: 'client_credentials',
        client_id: { $ne: null },
        client_secret: 'x',
      }),
    );
    expectOAuthError(res, 400, 'invalid_request', 'The parameter "client_id" must be a string.');
  });

  it.each(['text/plain', 'application/xml', 'multipart/form-data; boundary=x'])(
    'refuses the content type %s with invalid_request',
    async (type) => {
      const res = await post(type, form(clientCredentials));
      expectOAuthError(
        res,
        400,
        'invalid_request',
        `The Content-Type "${type.split(';')[0]}" is not supported: send application/x-www-form-urlencoded or application/json.`,
      );
    },
  );

  it('refuses a body without any content type with invalid_request', async () => {
    const body = form(clientCredentials);
    const res = await rawRequest(
      Number(new URL(endpoint).port),
      '/oauth/token',
      [`Content-Length: ${Buffer.byteLength(body)}`, '', body],
      'POST',
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      error: 'invalid_request',
      error_description:
        'The request has a body but no Content-Type: send application/x-www-form-urlencoded or application/json.',
    });
  });

  it('refuses a charset other than UTF-8 with invalid_request', async () => {
    const res = await post(`${FORM}; charset=iso-8859-1`, form(clientCredentials));
    expectOAuthError(
      res,
      400,
      'invalid_request',
      'The charset "iso-8859-1" is not supported: send UTF-8.',
    );
  });

  it('refuses bytes that are not UTF-8 with invalid_request', async () => {
    const res = await post(FORM, Buffer.from([0x67, 0x3d, 0xff, 0xfe]));
    expectOAuthError(res, 400, 'invalid_request', 'The request body is not valid UTF-8.');
  });

  it.each([
    ['a form', FORM, form({ ...clientCredentials, padding: 'x'.repeat(100 * 1024) })],
    [
      'a JSON document',
      JSON_TYPE,
      JSON.stringify({ ...clientCredentials, padding: 'x'.repeat(1024 * 1024) }),
    ],
  ])('refuses a huge body (%s) with 413 invalid_request', async (_kind, type, body) => {
    const res = await post(type, body);
    expectOAuthError(res, 413, 'invalid_request', 'The request body is too large.');
  });

  it.each(['grant_type', 'client_id', 'scope'])(
    'refuses a repeated %s parameter with invalid_request',
    async (name) => {
      const params = new URLSearchParams({
        ...clientCredentials,
        audience: 'urn:worldmappers',
        scope: 'directions',
      });
      params.append(name, params.get(name)!);
      const res = await post(FORM, params.toString());
      expectOAuthError(
        res,
        400,
        'invalid_request',
        `'${name}' parameter must not be provided twice`,
      );
    },
  );

  it('refuses a repeated audience, even in JSON, with invalid_request', async () => {
    const res = await post(
      JSON_TYPE,
      JSON.stringify({
        ...clientCredentials,
        audience: ['urn:worldmappers', 'urn:giftdeliveries'],
      }),
    );
    expectOAuthError(res, 400, 'invalid_request', 'audience parameter must not be provided twice');
  });

  it.each(['GET', 'PUT', 'DELETE'])('refuses %s with 405 and Allow: POST', async (method) => {
    const res = await fetch(endpoint, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: `The token endpoint only accepts POST, not ${method}.`,
    });
  });

  it('slows a client after five wrong secrets (never locks it): the right secret still gets its token', async () => {
    const attempt = (secret: string) =>
      post(
        FORM,
        form({
          grant_type: 'client_credentials',
          client_id: 'store-locator',
          client_secret: secret,
          audience: 'urn:worldmappers',
        }),
      );
    for (let i = 0; i < 5; i += 1) {
      expectOAuthError(await attempt(`guess-${i}`), 401, 'invalid_client', AUTH_FAILED);
    }
    // Before: 429 too_many_attempts to the right secret for 60 s. Now: admitted in its turn.
    const started = Date.now();
    const right = await attempt(DEMO_CLIENTS['store-locator'].devSecret);
    expect(right.status).toBe(200);
    expect(right.headers.get('pragma')).toBe('no-cache');
    expect(Date.now() - started).toBeLessThan(6_500);
    const other = await post(FORM, form({ ...clientCredentials, audience: 'urn:worldmappers' }));
    expect(other.status).toBe(200);
    expect(other.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
  }, 20_000);

  it('gives a client that never caches its 1000 tokens this hour, then 429 too_many_requests', async () => {
    // The registry's default quota (tokenQuotaPerHour 1000), spent the way a client that asks for
    // a token per call spends it; eight requests in flight at a time.
    const storefront = storefrontForm(DEMO_CLIENTS.storefront.devSecret);
    const statuses = new Map<number, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 1000) {
          next += 1;
          const { status } = await post(FORM, storefront);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    expect(Object.fromEntries(statuses)).toEqual({ 200: 1000 });

    const refused = await post(FORM, storefront);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3000);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(refused.body).toEqual({
      error: 'too_many_requests',
      error_description: `client "storefront" has used its quota of 1000 tokens per hour; try again in ${retryAfter} s`,
    });
    expect(refused.text).not.toMatch(STACK_TRACE);
    expect(refused.text).not.toContain(DEMO_CLIENTS.storefront.devSecret);

    // A wrong secret is refused as before: authentication comes first, and says nothing of quotas.
    const wrong = await post(FORM, storefrontForm('guess'));
    expectOAuthError(wrong, 401, 'invalid_client', AUTH_FAILED);
    // Other clients keep their own quota.
    const other = await post(FORM, form({ ...clientCredentials, audience: 'urn:worldmappers' }));
    expect(other.status).toBe(200);
  }, 60_000);

  it('logged every refusal as a warning and never a server error or a stack trace', () => {
    const service = stack.get('auth-server');
    const records = service.records();
    expect(records.filter((r) => r.level === 'error' || Number(r.status) >= 500)).toEqual([]);
    expect(records.filter((r) => r.message === 'token refused').length).toBeGreaterThanOrEqual(30);
    expect(service.lines().join('\n')).not.toMatch(STACK_TRACE);
  });
});
