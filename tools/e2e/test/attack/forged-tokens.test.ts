/**
 * Forged and malformed bearer tokens against worldmappers-api, over real HTTP: a real auth-server
 * process (its signing key read from the data directory this test owns, to forge tokens that carry
 * a REAL kid) and a real worldmappers-api process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessTokenClaims,
  currentSigningKey,
  encryptedToken,
  foreignKey,
  hs256WithPublicKey,
  signToken,
  tamperPayload,
  tamperSignature,
  unsignedToken,
  type SigningKey,
} from '@repo/testkit';
import { startDemoStack, type DemoStack } from 'demo-stack';
import { rawRequest, type RawResponse } from '../../src/raw-http.js';
import { fetchToken, STACK_TRACE } from '../../src/tokens.js';

const AUDIENCE = 'urn:worldmappers';
const REALM = `realm="${AUDIENCE}"`;
/** DPOP=allowed (the default): the DPoP challenge follows the Bearer one (RFC 9449 §7.1). */
const DPOP = `, DPoP ${REALM}, algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA"`;
const GEOCODE = '/api/location/geocode?address=Kyoto';

let stack: DemoStack;
let api: string;
let apiPort: number;
let key: SigningKey;
/** A genuine token of giftdeliveries, from the auth-server. */
let genuine: string;
/** A genuine token of storefront, for the giftdeliveries API (another audience). */
let otherAudience: string;

beforeAll(async () => {
  stack = await startDemoStack({
    services: ['auth-server', 'worldmappers-api'],
    commonEnv: { LOG_LEVEL: 'info' },
  });
  api = stack.get('worldmappers-api').url;
  apiPort = stack.get('worldmappers-api').port;
  key = await currentSigningKey(stack.keyFile);
  genuine = (await fetchToken(stack.issuer, 'giftdeliveries', AUDIENCE)).access_token;
  otherAudience = (await fetchToken(stack.issuer, 'storefront', 'urn:giftdeliveries')).access_token;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** Claims exactly like the auth-server's, for giftdeliveries, which each case then spoils. */
const claims = (overrides: Record<string, unknown> = {}) => ({
  ...accessTokenClaims({
    issuer: stack.issuer,
    audience: AUDIENCE,
    clientId: 'giftdeliveries',
    scope: 'geocode:location reverse-geocode:location directions',
  }),
  ...overrides,
});
const header = () => ({ alg: 'RS256', kid: key.kid, typ: 'at+jwt' });
const withRealKey = (payload: Record<string, unknown>) =>
  signToken(key.privateKey, header(), payload);

async function get(path: string, authorization?: string): Promise<RawResponse> {
  const res = await fetch(`${api}${path}`, {
    headers: authorization === undefined ? {} : { authorization },
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: res.status, headers, body: await res.text() };
}

const invalidToken = (description: string) => ({
  status: 401,
  challenge: `Bearer ${REALM}, error="invalid_token", error_description="${description.replace(/"/g, "'")}"${DPOP}`,
  body: { error: 'invalid_token', error_description: description },
});
const noCredentials = {
  status: 401,
  challenge: `Bearer ${REALM}${DPOP}`,
  body: {
    error: 'invalid_token',
    error_description: 'An access token is required: send it as "Authorization: Bearer <token>".',
  },
};
const invalidRequest = (description: string) => ({
  status: 400,
  challenge: `Bearer ${REALM}, error="invalid_request", error_description="${description.replace(/"/g, "'")}"${DPOP}`,
  body: { error: 'invalid_request', error_description: description },
});
const unsupportedAlg = (alg: string) =>
  invalidToken(
    `Unsupported algorithm "${alg}" for JWKS-based verification. Supported: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES256K, ES384, ES512, EdDSA`,
  );

interface Expected {
  status: number;
  challenge: string | undefined;
  body: unknown;
}

/** The whole refusal: status, challenge, exact body; never a 5xx, never a stack trace. */
function expectAnswer(res: RawResponse, expected: Expected) {
  expect(res.status).toBe(expected.status);
  expect(res.headers['www-authenticate']).toBe(expected.challenge);
  expect(res.body).not.toMatch(STACK_TRACE);
  if (typeof expected.body === 'string') expect(res.body).toBe(expected.body);
  else expect(JSON.parse(res.body)).toEqual(expected.body);
}

const KYOTO = expect.objectContaining({ name: 'Kyoto', country: 'JP' });

describe('forged and malformed tokens are refused by worldmappers-api', () => {
  const cases: [string, () => Promise<string | undefined>, Expected][] = [
    [
      'an unsigned token (alg "none") under the real kid',
      async () => `Bearer ${unsignedToken({ kid: key.kid, typ: 'at+jwt' }, claims())}`,
      unsupportedAlg('none'),
    ],
    [
      'an HS256 token whose HMAC secret is the public RSA key (algorithm confusion)',
      async () =>
        `Bearer ${await hs256WithPublicKey(key.publicJwk, { kid: key.kid, typ: 'at+jwt' }, claims())}`,
      unsupportedAlg('HS256'),
    ],
    [
      'an RS256 token signed by a foreign key under the real kid',
      async () => `Bearer ${await signToken(await foreignKey(), header(), claims())}`,
      invalidToken('signature verification failed'),
    ],
    [
      'a token whose kid the JWKS does not have',
      async () =>
        `Bearer ${await signToken(await foreignKey(), { ...header(), kid: 'kid-nobody-published' }, claims())}`,
      invalidToken('no applicable key found in the JSON Web Key Set'),
    ],
    [
      'a genuine token whose payload was edited to add a scope',
      async () =>
        `Bearer ${tamperPayload(genuine, (p) => ({ ...p, scope: `${String(p.scope)} admin` }))}`,
      invalidToken('signature verification failed'),
    ],
    [
      'a genuine token whose payload was edited to live longer',
      async () =>
        `Bearer ${tamperPayload(genuine, (p) => ({ ...p, exp: Number(p.exp) + 86_400 }))}`,
      invalidToken('signature verification failed'),
    ],
    [
      'a genuine token with one signature character changed',
      async () => `Bearer ${tamperSignature(genuine)}`,
      invalidToken('signature verification failed'),
    ],
    [
      'a genuine token without its signature part',
      async () => `Bearer ${genuine.slice(0, genuine.lastIndexOf('.'))}`,
      invalidToken('Invalid Token or Protected Header formatting'),
    ],
    [
      'a genuine token cut short in its signature',
      async () => `Bearer ${genuine.slice(0, -12)}`,
      invalidToken('signature verification failed'),
    ],
    [
      'a token signed by the real key with another issuer',
      async () => `Bearer ${await withRealKey(claims({ iss: 'https://evil.example/' }))}`,
      invalidToken("Unexpected 'iss' value"),
    ],
    [
      'a token signed by the real key for another audience',
      async () => `Bearer ${await withRealKey(claims({ aud: 'urn:giftdeliveries' }))}`,
      invalidToken("Unexpected 'aud' value"),
    ],
    [
      'a genuine token the auth-server issued for another API',
      async () => `Bearer ${otherAudience}`,
      invalidToken("Unexpected 'aud' value"),
    ],
    [
      'a token signed by the real key that expired two minutes ago',
      async () =>
        `Bearer ${await withRealKey(claims({ exp: Math.floor(Date.now() / 1000) - 120 }))}`,
      invalidToken('"exp" claim timestamp check failed'),
    ],
    [
      'a token signed by the real key that is not valid before ten minutes from now',
      async () =>
        `Bearer ${await withRealKey(claims({ nbf: Math.floor(Date.now() / 1000) + 600 }))}`,
      invalidToken('"nbf" claim timestamp check failed'),
    ],
    [
      'a token signed by the real key without exp',
      async () => {
        const { exp: _exp, ...rest } = claims();
        return `Bearer ${await withRealKey(rest)}`;
      },
      invalidToken("Unexpected 'exp' value"),
    ],
    [
      'a JWE (encrypted) token for the real key',
      async () => `Bearer ${await encryptedToken(key.publicJwk, claims())}`,
      unsupportedAlg('RSA-OAEP-256'),
    ],
    ['"Bearer" with nothing after it', async () => 'Bearer ', noCredentials],
    ['"Bearer" followed by spaces only', async () => 'Bearer    ', noCredentials],
    [
      'another scheme (Basic credentials)',
      async () => 'Basic Z2lmdGRlbGl2ZXJpZXM6eA==',
      noCredentials,
    ],
    ['no Authorization header at all', async () => undefined, noCredentials],
    [
      'three dots of nothing',
      async () => 'Bearer ...',
      invalidToken('Invalid Token or Protected Header formatting'),
    ],
    [
      'an 8 KB token of garbage',
      async () => `Bearer ${'A'.repeat(8 * 1024)}`,
      invalidToken('Invalid Token or Protected Header formatting'),
    ],
  ];

  it.each(cases)('refuses %s', async (_name, authorization, expected) => {
    expectAnswer(await get(GEOCODE, await authorization()), expected);
  });

  it('refuses a token whose scope claim is missing with 403 insufficient_scope', async () => {
    const { scope: _scope, ...rest } = claims();
    const res = await get(GEOCODE, `Bearer ${await withRealKey(rest)}`);
    const description = 'The access token lacks the required scope: geocode:location.';
    expectAnswer(res, {
      status: 403,
      challenge: `Bearer ${REALM}, error="insufficient_scope", error_description="${description}", scope="geocode:location"${DPOP}`,
      body: { error: 'insufficient_scope', error_description: description },
    });
  });

  it('refuses a token in the query string: URLs end up in logs (RFC 6750 §2.3)', async () => {
    const res = await get(`${GEOCODE}&access_token=${genuine}`);
    expectAnswer(
      res,
      invalidRequest(
        'Send the access token in the Authorization header, not in the URL: URLs end up in logs (RFC 6750 section 2.3).',
      ),
    );
  });

  it('refuses a token in the query string and in the header at once', async () => {
    const res = await get(`${GEOCODE}&access_token=${genuine}`, `Bearer ${genuine}`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'invalid_request' });
    expect(res.headers['www-authenticate']).toMatch(
      /^Bearer realm="urn:worldmappers", error="invalid_request"/,
    );
  });

  it('refuses two Authorization headers, even when both carry the genuine token', async () => {
    const res = await rawRequest(apiPort, GEOCODE, [
      `Authorization: Bearer ${genuine}`,
      `Authorization: Bearer ${genuine}`,
    ]);
    expectAnswer(res, invalidRequest('Send exactly one Authorization header.'));
  });

  it('refuses two Authorization headers where only the first is genuine', async () => {
    const res = await rawRequest(apiPort, GEOCODE, [
      `Authorization: Bearer ${genuine}`,
      'Authorization: Bearer forged',
    ]);
    expectAnswer(res, invalidRequest('Send exactly one Authorization header.'));
  });

  it('answers a 16 KB Authorization header with 431 from the HTTP server, before any code runs', async () => {
    const res = await rawRequest(apiPort, GEOCODE, [
      `Authorization: Bearer ${'a'.repeat(16 * 1024)}`,
    ]);
    expectAnswer(res, { status: 431, challenge: undefined, body: '' });
  });

  it('refuses non-ASCII garbage (raw UTF-8 bytes) in the header', async () => {
    const res = await rawRequest(apiPort, GEOCODE, [
      Buffer.concat([
        Buffer.from('Authorization: Bearer '),
        Buffer.from('偽造トークン✓🎁', 'utf8'),
      ]),
    ]);
    expectAnswer(res, invalidToken('Invalid Token or Protected Header formatting'));
  });

  it('refuses non-ASCII garbage (Latin-1 bytes) shaped like a JWT', async () => {
    const res = await rawRequest(apiPort, GEOCODE, [
      Buffer.concat([
        Buffer.from('Authorization: Bearer '),
        Buffer.from('\u00e9y\u00ff.\u00e9\u00e8.\u00fe', 'latin1'),
      ]),
    ]);
    expectAnswer(res, invalidToken('Invalid Token or Protected Header formatting'));
  });

  it('accepts the genuine token (the control case)', async () => {
    const res = await get(GEOCODE, `Bearer ${genuine}`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual(KYOTO);
  });

  it.each(['bearer', 'BEARER', 'BeArEr'])(
    'accepts the scheme written "%s": RFC 6750 auth-schemes are case-insensitive',
    async (scheme) => {
      const res = await get(GEOCODE, `${scheme} ${genuine}`);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual(KYOTO);
    },
  );

  it('logged no server error and no stack trace for any of it', () => {
    const lines = stack.get('worldmappers-api').lines();
    expect(lines.length).toBeGreaterThan(10);
    const errors = stack
      .get('worldmappers-api')
      .records()
      .filter((record) => record.level === 'error' || Number(record.status) >= 500);
    expect(errors).toEqual([]);
    expect(lines.join('\n')).not.toMatch(STACK_TRACE);
  });
});
