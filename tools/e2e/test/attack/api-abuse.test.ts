/**
 * Abuse of the two APIs from outside (issue 18), over real HTTP against real processes: a token
 * bound to a key presented as a plain bearer token, control characters in a delivery, and one
 * client's flood against the per-client rate limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokenClaims, currentSigningKey, signToken, type SigningKey } from '@repo/testkit';
import { startDemoStack, type DemoStack } from 'demo-stack';
import { fetchToken, STACK_TRACE } from '../../src/tokens.js';

const WORLDMAPPERS = 'urn:worldmappers';
const GIFTDELIVERIES = 'urn:giftdeliveries';
/** worldmappers-api's limit in this suite: low enough for one test to pass it. */
const RATE_LIMIT = 20;
const BOUND_AS_BEARER = 'DPoP-bound token requires the DPoP authentication scheme, not Bearer.';
const DPOP_ALGS = 'ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA';

let stack: DemoStack;
let key: SigningKey;
let worldmappers: string;
let giftdeliveries: string;
/** A genuine storefront token for giftdeliveries (write and read). */
let storefront: string;

beforeAll(async () => {
  stack = await startDemoStack({
    services: ['auth-server', 'worldmappers-api', 'giftdeliveries'],
    commonEnv: { LOG_LEVEL: 'info' },
    env: { 'worldmappers-api': { API_RATE_LIMIT: String(RATE_LIMIT) } },
  });
  worldmappers = stack.get('worldmappers-api').url;
  giftdeliveries = stack.get('giftdeliveries').url;
  key = await currentSigningKey(stack.keyFile);
  storefront = (await fetchToken(stack.issuer, 'storefront', GIFTDELIVERIES)).access_token;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: res.status, headers, body: await res.text() };
}

/** A token exactly like the auth-server's, signed with its real key, plus a `cnf` claim. */
const boundToken = (audience: string, clientId: string, scope: string) =>
  signToken(
    key.privateKey,
    { alg: 'RS256', kid: key.kid, typ: 'at+jwt' },
    {
      ...accessTokenClaims({ issuer: stack.issuer, audience, clientId, scope }),
      cnf: { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' },
    },
  );

describe('sender-constrained tokens (RFC 9449 §7.1)', () => {
  it.each([
    [
      'worldmappers-api',
      () => `${worldmappers}/api/location/geocode?address=Kyoto`,
      () => boundToken(WORLDMAPPERS, 'giftdeliveries', 'geocode:location directions'),
      WORLDMAPPERS,
    ],
    [
      'giftdeliveries',
      () => `${giftdeliveries}/deliveries`,
      () => boundToken(GIFTDELIVERIES, 'storefront', 'deliveries:read deliveries:write'),
      GIFTDELIVERIES,
    ],
  ])(
    '%s refuses a token with cnf.jkt sent as a plain bearer token, every time',
    async (_name, url, token, realm) => {
      const authorization = `Bearer ${await token()}`;
      for (let i = 0; i < 2; i++) {
        const res = await call(url(), { headers: { authorization } });
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(
          `Bearer realm="${realm}", error="invalid_token", error_description="${BOUND_AS_BEARER}", DPoP realm="${realm}", algs="${DPOP_ALGS}"`,
        );
        expect(JSON.parse(res.body)).toEqual({
          error: 'invalid_token',
          error_description: BOUND_AS_BEARER,
        });
      }
    },
  );
});

describe('control characters in a delivery', () => {
  it.each([
    [{ recipient: 'Zed\u0000Hidden', destination: 'Kyoto' }, 'recipient'],
    [{ recipient: 'Zed', destination: 'Kyoto\u0000Osaka' }, 'destination'],
    [
      { recipient: 'Zed', destination: 'Kyoto', gift: '\u001b[2K\u001b[1Ginfo token issued' },
      'gift',
    ],
    [{ recipient: 'Zed', destination: 'Kyoto', origin: 'Oulu\u009b2J' }, 'origin'],
    [{ recipient: 'Zed\u2028forged line', destination: 'Kyoto' }, 'recipient'],
  ])('refuses %j with 400 invalid_request naming the field', async (delivery, field) => {
    const res = await call(`${giftdeliveries}/deliveries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${storefront}`, 'content-type': 'application/json' },
      body: JSON.stringify(delivery),
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({
      error: 'invalid_request',
      error_description: `${field} must not contain control characters.`,
    });
  });
});

describe('bodies and replays', () => {
  const postDelivery = (body: string, headers: Record<string, string> = {}) =>
    call(`${giftdeliveries}/deliveries`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${storefront}`,
        'content-type': 'application/json',
        ...headers,
      },
      body,
    });

  it('answers a body that is not the gzip it claims with a clean 400, an unknown encoding with 415', async () => {
    const bad = await postDelivery('{"recipient":"Zed","destination":"Kyoto"}', {
      'content-encoding': 'gzip',
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({
      error: 'invalid_request',
      error_description: 'The request body is not valid gzip data, as its Content-Encoding says.',
    });
    const unknown = await postDelivery('{}', { 'content-encoding': 'compress' });
    expect(unknown.status).toBe(415);
    expect(JSON.parse(unknown.body)).toEqual({
      error: 'invalid_request',
      error_description:
        'The request body encoding is not supported: send it as is, or with Content-Encoding gzip, deflate or br.',
    });
  });

  it(
    'answers an idempotent replay of a planned delivery with its current status',
    { timeout: 30_000 },
    async () => {
      const body = JSON.stringify({ recipient: 'Maya', destination: 'Oulu, FI' });
      const key = { 'idempotency-key': `replay-${Date.now()}` };
      const first = await postDelivery(body, key);
      expect(first.status).toBe(202);
      const { id } = JSON.parse(first.body) as { id: string };
      expect(JSON.parse(first.body)).toEqual({ id, status: 'pending' });
      let status = 'pending';
      for (let i = 0; i < 100 && status === 'pending'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const view = await call(`${giftdeliveries}/deliveries/${id}`, {
          headers: { authorization: `Bearer ${storefront}` },
        });
        status = (JSON.parse(view.body) as { status: string }).status;
      }
      expect(status).toBe('planned');
      const again = await postDelivery(body, key);
      expect(again.status).toBe(202);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(JSON.parse(again.body)).toEqual({ id, status: 'planned' });
    },
  );
});

describe('per-client rate limit', () => {
  it(
    "one client's flood gets 429 with Retry-After and RateLimit headers; another client still gets in",
    { timeout: 30_000 },
    async () => {
      const flooder = (await fetchToken(stack.issuer, 'giftdeliveries', WORLDMAPPERS)).access_token;
      const other = (await fetchToken(stack.issuer, 'store-locator', WORLDMAPPERS)).access_token;
      const geocode = (token: string) =>
        call(`${worldmappers}/api/location/geocode?address=Kyoto`, {
          headers: { authorization: `Bearer ${token}` },
        });
      const answers = await Promise.all(
        Array.from({ length: 3 * RATE_LIMIT }, () => geocode(flooder)),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
      const allowed = answers.filter((a) => a.status === 200);
      const refused = answers.filter((a) => a.status === 429);
      // A window may end during the burst: at most two windows' worth get through.
      expect(allowed.length).toBeGreaterThanOrEqual(1);
      expect(allowed.length).toBeLessThanOrEqual(2 * RATE_LIMIT);
      expect(refused.length).toBeGreaterThan(0);
      for (const res of allowed) {
        expect(res.headers['ratelimit-policy']).toBe(`"default";q=${RATE_LIMIT};w=1`);
        expect(res.headers.ratelimit).toMatch(/^"default";r=\d+;t=1$/);
      }
      for (const res of refused) {
        expect(res.headers['retry-after']).toBe('1');
        expect(res.headers['ratelimit-policy']).toBe(`"default";q=${RATE_LIMIT};w=1`);
        expect(res.headers.ratelimit).toBe('"default";r=0;t=1');
        expect(JSON.parse(res.body)).toEqual({
          error: 'rate_limited',
          error_description: `Too many requests: this API allows ${RATE_LIMIT} requests per second per client; retry after 1 s.`,
        });
      }
      const theirs = await geocode(other);
      expect(theirs.status).toBe(200);
    },
  );
});

describe('logs', () => {
  it('hold no server error, no stack trace and no token', () => {
    for (const name of ['worldmappers-api', 'giftdeliveries'] as const) {
      const service = stack.get(name);
      const errors = service
        .records()
        .filter((record) => record.level === 'error' || Number(record.status) >= 500);
      expect(errors).toEqual([]);
      const text = service.lines().join('\n');
      expect(text).not.toMatch(STACK_TRACE);
      expect(text).not.toContain(storefront.split('.')[2]);
      expect(text).not.toContain('\u0000');
      expect(text).not.toContain('\u001b[');
    }
  });
});
