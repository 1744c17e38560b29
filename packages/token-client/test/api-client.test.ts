import { describe, expect, it } from 'vitest';
import { AxiosError } from 'axios';
import { attachTokenProvider, createTokenProvider } from '../src/index.js';
import { fakeHttp, tokenNumber, type FakeHandler } from './fake-http.js';

const TOKEN_URL = 'http://auth.test/token';
const API = 'http://api.test';
const INVALID_TOKEN = {
  status: 401,
  headers: { 'www-authenticate': 'Bearer realm="api", error="invalid_token"' },
  data: { error: 'invalid_token', error_description: 'signature verification failed' },
};

/** A token endpoint issuing tokens 1, 2, … and an API answering with `api`. */
function setup(api: (authorization: string | undefined, call: number) => ReturnType<FakeHandler>) {
  let issued = 0;
  const auth = fakeHttp(() => {
    issued++;
    return { status: 200, data: { access_token: tokenNumber(issued), expires_in: 3600 } };
  });
  const tokens = createTokenProvider({
    clientId: 'c',
    clientSecret: 's',
    audience: 'urn:api',
    tokenEndpoint: TOKEN_URL,
    http: auth.http,
  });
  const resource = fakeHttp((request) =>
    api(request.headers.authorization, resource.requests.length),
  );
  const client = attachTokenProvider(resource.http, tokens);
  const apiCalls = () => resource.requests;
  return { tokens, client, apiCalls };
}

describe('attachTokenProvider', () => {
  it('sends the cached token as a Bearer header', async () => {
    const { client, tokens, apiCalls } = setup(() => ({ status: 200, data: { ok: true } }));
    await client.get(`${API}/a`);
    await client.get(`${API}/b`);
    expect(apiCalls().map((r) => r.headers.authorization)).toEqual([
      `Bearer ${tokenNumber(1)}`,
      `Bearer ${tokenNumber(1)}`,
    ]);
    expect(tokens.stats().tokenRequests).toBe(1);
  });

  it('answers a 401 invalid_token with one renewal and one retry', async () => {
    const { client, tokens, apiCalls } = setup((authorization) =>
      authorization === `Bearer ${tokenNumber(1)}` ? INVALID_TOKEN : { status: 200, data: 'ok' },
    );
    const res = await client.get(`${API}/x`);
    expect(res.status).toBe(200);
    expect(apiCalls().map((r) => r.headers.authorization)).toEqual([
      `Bearer ${tokenNumber(1)}`,
      `Bearer ${tokenNumber(2)}`,
    ]);
    expect(tokens.stats().tokenRequests).toBe(2);
  });

  it('returns a second 401 to the caller instead of looping', async () => {
    const { client, tokens, apiCalls } = setup(() => INVALID_TOKEN);
    const error = (await client.get(`${API}/x`).catch((e: unknown) => e)) as AxiosError;
    expect(error).toBeInstanceOf(AxiosError);
    expect(error.response?.status).toBe(401);
    expect(apiCalls()).toHaveLength(2);
    expect(tokens.stats().tokenRequests).toBe(2);
  });

  it('does not renew the token for a 403 insufficient_scope', async () => {
    const { client, tokens, apiCalls } = setup(() => ({
      status: 403,
      headers: { 'www-authenticate': 'Bearer error="insufficient_scope", scope="directions"' },
      data: { error: 'insufficient_scope' },
    }));
    const error = (await client.get(`${API}/x`).catch((e: unknown) => e)) as AxiosError;
    expect(error.response?.status).toBe(403);
    expect(apiCalls()).toHaveLength(1);
    expect(tokens.stats().tokenRequests).toBe(1);
  });

  it('retries a 401 invalid_token even when the caller accepts every status', async () => {
    const { client, apiCalls } = setup((_authorization, call) =>
      call === 1 ? INVALID_TOKEN : { status: 200, data: 'ok' },
    );
    const res = await client.get(`${API}/x`, { validateStatus: () => true });
    expect(res.status).toBe(200);
    expect(apiCalls()).toHaveLength(2);
  });
});
