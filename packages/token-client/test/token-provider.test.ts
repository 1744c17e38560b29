import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIssuerMetadata } from '@repo/issuer-metadata';
import { createLogger } from '@repo/logger';
import {
  createTokenProvider,
  TokenEndpointUnavailableError,
  TokenRequestError,
  type TokenProviderOptions,
} from '../src/index.js';
import { connectionRefused, fakeHttp, tokenNumber, type FakeHandler } from './fake-http.js';

const ISSUER = 'http://auth.test/';
const TOKEN_URL = 'http://auth.test/token';
const DISCOVERY_URL = 'http://auth.test/.well-known/openid-configuration';
const SECRET = 's3cr3t-value';

/** An authorization server that issues tokens numbered 1, 2, … living `lifetime` seconds. */
function authServer(lifetime = 3600, tokenAnswer?: FakeHandler): FakeHandler {
  let issued = 0;
  return async (request) => {
    if (request.url === DISCOVERY_URL) {
      return { status: 200, data: { issuer: ISSUER, token_endpoint: TOKEN_URL } };
    }
    if (request.url === TOKEN_URL && request.method === 'POST') {
      if (tokenAnswer) return tokenAnswer(request);
      issued++;
      return {
        status: 200,
        data: {
          access_token: tokenNumber(issued),
          token_type: 'Bearer',
          expires_in: lifetime,
          scope: 'geocode:location directions',
        },
      };
    }
    return { status: 404, data: { error: 'not_found' } };
  };
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Waits for `promise` while letting every backoff timer fire at once. */
async function settled<T>(promise: Promise<T>): Promise<T> {
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  const result = await outcome;
  if ('error' in result) throw result.error;
  return result.value;
}

/** Time passing, as a test says. */
const clock = { advance: (ms: number) => vi.advanceTimersByTime(ms) };

function setup(handler: FakeHandler, options: Partial<TokenProviderOptions> = {}) {
  const { http, fetch, requests } = fakeHttp(handler);
  const output: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) =>
    output.push(...chunk.toString().split('\n').filter(Boolean)),
  );
  const logger = createLogger({ service: 'test', level: 'debug', format: 'json', stream });
  const tokens = createTokenProvider({
    clientId: 'giftdeliveries',
    clientSecret: SECRET,
    audience: 'urn:worldmappers',
    issuerMetadata: createIssuerMetadata({ issuer: ISSUER, fetch }),
    http,
    random: () => 0.5,
    logger,
    ...options,
  });
  const tokenRequests = () => requests.filter((r) => r.url === TOKEN_URL);
  const logs = () => output.map((line) => JSON.parse(line) as Record<string, unknown>);
  /** The backoff delays waited, in order (from the provider's log lines). */
  const sleeps = () =>
    logs()
      .filter((line) => String(line.message).endsWith('failed, retrying'))
      .map((line) => line.delayMs);
  return { tokens, requests, tokenRequests, logs, output, sleeps };
}

describe('createTokenProvider', () => {
  it('reuses one token for every call within its lifetime', async () => {
    const { tokens, tokenRequests } = setup(authServer(3600));
    const first = await tokens.getAccessToken();
    clock.advance(60_000);
    const second = await tokens.getAccessToken();
    clock.advance(30 * 60_000);
    const third = await tokens.getAccessToken();
    expect(first).toBe(tokenNumber(1));
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(tokenRequests()).toHaveLength(1);
    expect(tokens.stats()).toEqual({
      tokenRequests: 1,
      tokensObtained: 1,
      discoveryRequests: 1,
      refusals: 0,
      tokensServed: 3,
    });
    // The console's cache view: the token's state, never the token.
    expect(tokens.cachedToken()).toEqual({
      fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{8}$/),
      tokenType: 'Bearer',
      scope: expect.any(Array),
      obtainedAt: expect.any(Number),
      expiresAt: expect.any(Number),
      renewAt: expect.any(Number),
    });
    expect(JSON.stringify(tokens.cachedToken())).not.toContain(first);
  });

  it('renews 10 % of a long lifetime early: a 3600 s token is replaced after 3240 s', async () => {
    const { tokens, tokenRequests } = setup(authServer(3600));
    await tokens.getToken();
    clock.advance(3239_000);
    expect(await tokens.getAccessToken()).toBe(tokenNumber(1));
    clock.advance(1_000);
    expect(await tokens.getAccessToken()).toBe(tokenNumber(2));
    expect(tokenRequests()).toHaveLength(2);
  });

  it('renews at least 30 s early: a 120 s token is replaced after 90 s', async () => {
    const { tokens, tokenRequests } = setup(authServer(120));
    const token = await tokens.getToken();
    expect(token.lifetimeSeconds).toBe(120);
    clock.advance(89_000);
    expect(await tokens.getAccessToken()).toBe(tokenNumber(1));
    clock.advance(1_000);
    expect(await tokens.getAccessToken()).toBe(tokenNumber(2));
    expect(tokenRequests()).toHaveLength(2);
  });

  it('shares one token request among 100 concurrent callers', async () => {
    const { tokens, tokenRequests } = setup(authServer(3600));
    const all = await Promise.all(Array.from({ length: 100 }, () => tokens.getAccessToken()));
    expect(new Set(all)).toEqual(new Set([tokenNumber(1)]));
    expect(tokenRequests()).toHaveLength(1);
    expect(tokens.stats().tokenRequests).toBe(1);
    expect(tokens.stats().discoveryRequests).toBe(1);
  });

  it('finds the token endpoint once through the discovery document', async () => {
    const { tokens, requests } = setup(authServer(60));
    await tokens.getToken();
    clock.advance(3_600_000);
    await tokens.getToken();
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET ${DISCOVERY_URL}`,
      `POST ${TOKEN_URL}`,
      `POST ${TOKEN_URL}`,
    ]);
  });

  it('skips discovery when a token endpoint is given', async () => {
    const { tokens, requests } = setup(authServer(), {
      issuerMetadata: undefined,
      tokenEndpoint: TOKEN_URL,
    });
    await tokens.getToken();
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([`POST ${TOKEN_URL}`]);
  });

  it('sends client_secret_post credentials and the audience parameter by default', async () => {
    const { tokens, tokenRequests } = setup(authServer());
    await tokens.getToken();
    const [request] = tokenRequests();
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.form).toEqual({
      grant_type: 'client_credentials',
      audience: 'urn:worldmappers',
      client_id: 'giftdeliveries',
      client_secret: SECRET,
    });
  });

  it('sends client_secret_basic credentials and the RFC 8707 resource parameter when asked', async () => {
    const { tokens, tokenRequests } = setup(authServer(), {
      authMethod: 'client_secret_basic',
      audienceParam: 'resource',
      clientId: 'gift deliveries',
      clientSecret: 'p@ss:word',
      scope: ['geocode:location', 'directions'],
    });
    await tokens.getToken();
    const [request] = tokenRequests();
    const expected = Buffer.from('gift%20deliveries:p%40ss%3Aword').toString('base64');
    expect(request?.headers.authorization).toBe(`Basic ${expected}`);
    expect(request?.form).toEqual({
      grant_type: 'client_credentials',
      resource: 'urn:worldmappers',
      scope: 'geocode:location directions',
    });
  });

  it('retries a 503 with exponential backoff and jitter, then succeeds', async () => {
    let calls = 0;
    const server = authServer(3600);
    const { tokens, sleeps, tokenRequests } = setup(async (request) => {
      if (request.url === TOKEN_URL && ++calls <= 2) return { status: 503, data: 'busy' };
      return server(request);
    });
    expect(await settled(tokens.getAccessToken())).toBe(tokenNumber(1));
    expect(tokenRequests()).toHaveLength(3);
    // base 500 ms doubling; with random() = 0.5 each delay is 75 % of its step.
    expect(sleeps()).toEqual([375, 750]);
  });

  it('honours Retry-After on a 429 and retries network errors', async () => {
    let calls = 0;
    const server = authServer(3600);
    const { tokens, sleeps, tokenRequests } = setup(async (request) => {
      if (request.url === TOKEN_URL) {
        calls++;
        if (calls === 1) return { status: 429, headers: { 'retry-after': '3' } };
        if (calls === 2) throw connectionRefused();
      }
      return server(request);
    });
    await settled(tokens.getToken());
    expect(tokenRequests()).toHaveLength(3);
    expect(sleeps()).toEqual([3000, 750]);
  });

  it('does not ask again before a long Retry-After has passed', async () => {
    let calls = 0;
    const server = authServer(3600);
    const { tokens, sleeps, tokenRequests } = setup(async (request) => {
      if (request.url === TOKEN_URL && ++calls === 1) {
        return { status: 429, headers: { 'retry-after': '60' } };
      }
      return server(request);
    });
    const error = (await tokens.getToken().catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(TokenEndpointUnavailableError);
    expect(error.message).toBe(
      `token request to ${TOKEN_URL} failed (HTTP 429); the server asks to wait 60 s before trying again`,
    );
    clock.advance(59_000);
    await expect(tokens.getToken()).rejects.toBe(error);
    expect(tokenRequests()).toHaveLength(1);
    clock.advance(1_000);
    expect(await tokens.getAccessToken()).toBe(tokenNumber(1));
    expect(tokenRequests()).toHaveLength(2);
    expect(sleeps()).toEqual([]);
  });

  it('gives up after the last attempt with a retryable TokenEndpointUnavailableError', async () => {
    const server = authServer();
    const { tokens, sleeps, tokenRequests } = setup(
      (request) => (request.url === TOKEN_URL ? { status: 502 } : server(request)),
      { maxAttempts: 3 },
    );
    const error = await settled(tokens.getToken()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenEndpointUnavailableError);
    expect((error as TokenEndpointUnavailableError).message).toBe(
      `token request to ${TOKEN_URL} failed after 3 attempts (HTTP 502)`,
    );
    expect((error as TokenEndpointUnavailableError).retryable).toBe(true);
    expect(tokenRequests()).toHaveLength(3);
    expect(sleeps()).toHaveLength(2);
  });

  it('does not retry invalid_client, names the variables to fix and remembers the refusal', async () => {
    const refusal: FakeHandler = () => ({
      status: 401,
      data: { error: 'invalid_client', error_description: 'client authentication failed' },
    });
    const { tokens, sleeps, tokenRequests, output } = setup(authServer(3600, refusal), {
      refusalCooldownMs: 30_000,
    });
    const error = await tokens.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRequestError);
    const refused = error as TokenRequestError;
    expect(refused.code).toBe('invalid_client');
    expect(refused.status).toBe(401);
    expect(refused.retryable).toBe(false);
    expect(refused.variables).toEqual(['CLIENT_ID', 'CLIENT_SECRET', 'TOKEN_AUTH_METHOD']);
    expect(refused.message).toContain('check CLIENT_ID and CLIENT_SECRET');
    expect(refused.message).toContain('"client authentication failed"');
    expect(sleeps()).toEqual([]);

    // 100 more calls during the cool-down: answered from memory, no request.
    const again = await Promise.allSettled(Array.from({ length: 100 }, () => tokens.getToken()));
    expect(again.every((r) => r.status === 'rejected' && r.reason === refused)).toBe(true);
    expect(tokenRequests()).toHaveLength(1);

    clock.advance(30_000);
    await tokens.getToken().catch(() => undefined);
    expect(tokenRequests()).toHaveLength(2);
    expect(output.join('\n')).not.toContain(SECRET);
  });

  it.each([
    ['invalid_target', 400, ['WORLDMAPPERS_AUDIENCE', 'TOKEN_AUDIENCE_PARAM']],
    ['invalid_scope', 400, ['WORLDMAPPERS_SCOPE', 'WORLDMAPPERS_AUDIENCE']],
    ['access_denied', 403, ['CLIENT_ID', 'WORLDMAPPERS_AUDIENCE']],
    ['unauthorized_client', 400, ['CLIENT_ID']],
  ])('turns %s (HTTP %i) into a TokenRequestError naming %j', async (code, status, variables) => {
    const { tokens, tokenRequests } = setup(
      authServer(3600, () => ({ status, data: { error: code } })),
      {
        variables: { audience: 'WORLDMAPPERS_AUDIENCE', scope: 'WORLDMAPPERS_SCOPE' },
        scope: 'directions',
      },
    );
    const error = (await tokens.getToken().catch((e: unknown) => e)) as TokenRequestError;
    expect(error).toBeInstanceOf(TokenRequestError);
    expect(error.code).toBe(code);
    expect(error.variables).toEqual(variables);
    for (const variable of variables) expect(error.message).toContain(variable);
    expect(tokenRequests()).toHaveLength(1);
  });

  it('explains an issuer without a discovery document and does not ask again at once', async () => {
    const { tokens, requests } = setup(() => ({ status: 404 }));
    const error = (await tokens.getToken().catch((e: unknown) => e)) as TokenRequestError;
    expect(error.code).toBe('discovery_failed');
    expect(error.message).toBe(
      'no usable discovery document (with a token_endpoint) for issuer http://auth.test/: check ISSUER_BASE_URL, or set TOKEN_ENDPOINT',
    );
    await tokens.getToken().catch(() => undefined);
    expect(requests.map((r) => r.url)).toEqual([
      DISCOVERY_URL,
      'http://auth.test/.well-known/oauth-authorization-server',
    ]);
  });

  it('logs each token with its fingerprint, audience, scopes and lifetime, never the token or secret', async () => {
    const { tokens, logs, output } = setup(authServer(3600));
    const token = await tokens.getToken();
    const line = logs().find((record) => record.message === 'access token obtained');
    expect(line).toMatchObject({
      level: 'info',
      clientId: 'giftdeliveries',
      audience: 'urn:worldmappers',
      scope: 'geocode:location directions',
      lifetimeSeconds: 3600,
      tokenFingerprint: token.fingerprint,
      tokenRequests: 1,
    });
    expect(token.fingerprint).toMatch(/^sha256:[0-9a-f]{8}$/);
    const all = output.join('\n');
    expect(all).not.toContain(token.accessToken);
    expect(all).not.toContain(SECRET);
  });

  it('keeps serving a still-valid token when an early renewal fails for a transient reason', async () => {
    let down = false;
    const server = authServer(3600);
    const { tokens } = setup(
      (request) => (down && request.url === TOKEN_URL ? { status: 503 } : server(request)),
      { maxAttempts: 2 },
    );
    await tokens.getToken();
    clock.advance(3300_000);
    down = true;
    expect(await settled(tokens.getAccessToken())).toBe(tokenNumber(1));
    clock.advance(600_000);
    await expect(settled(tokens.getToken())).rejects.toBeInstanceOf(TokenEndpointUnavailableError);
    down = false;
    expect(await tokens.getAccessToken()).toBe(tokenNumber(2));
  });

  it('drops the cached token on invalidate, but not a newer one than the refused token', async () => {
    const { tokens, tokenRequests } = setup(authServer(3600));
    const first = await tokens.getAccessToken();
    tokens.invalidate(first);
    const second = await tokens.getAccessToken();
    expect(second).toBe(tokenNumber(2));
    tokens.invalidate(first);
    expect(await tokens.getAccessToken()).toBe(second);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('uses the JWT exp when the answer has no expires_in', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const payload = Buffer.from(JSON.stringify({ exp, scope: 'directions' })).toString('base64url');
    const jwt = `eyJhbGciOiJub25lIn0.${payload}.x`;
    const { http } = fakeHttp(() => ({ status: 200, data: { access_token: jwt } }));
    const tokens = createTokenProvider({
      clientId: 'c',
      clientSecret: 's',
      audience: 'a',
      tokenEndpoint: TOKEN_URL,
      http,
    });
    const token = await tokens.getToken();
    expect(token.lifetimeSeconds).toBe(600);
    expect(token.scope).toEqual(['directions']);
  });

  it('refuses incomplete options when it is created', () => {
    expect(() => createTokenProvider({ clientId: 'c', clientSecret: 's', audience: 'a' })).toThrow(
      'createTokenProvider: issuerBaseURL or tokenEndpoint is required',
    );
  });
});
