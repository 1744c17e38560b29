import express from 'express';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorHandler } from '@repo/http';
import { startTestIssuer, testLogger, type TestIssuer } from '@repo/testkit';
import { clientRateLimit, protectApi } from '../src/index.js';

const AUDIENCE = 'urn:test';
const { logger } = testLogger();
let issuer: TestIssuer;
let one: string;
let other: string;

const appWith = (requestsPerSecond: number) => {
  const api = protectApi({ issuerBaseURL: issuer.issuer, audience: AUDIENCE, logger });
  const app = express();
  app.use('/api', api.authenticate, clientRateLimit({ requestsPerSecond }));
  app.get('/api/ping', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(errorHandler(logger));
  return app;
};

beforeAll(async () => {
  issuer = await startTestIssuer();
  one = await issuer.mint({ audience: AUDIENCE, clientId: 'one' });
  other = await issuer.mint({ audience: AUDIENCE, clientId: 'other' });
});
afterAll(() => issuer.close());
afterEach(() => {
  vi.useRealTimers();
});

describe('clientRateLimit', () => {
  it('counts each client apart, answers 429 with Retry-After and RateLimit headers past its limit, and lets it in again after the window', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-01-01T00:00:00.000Z') });
    const app = appWith(3);
    const ping = (token: string) =>
      request(app).get('/api/ping').set('Authorization', `Bearer ${token}`);
    for (const remaining of [2, 1, 0]) {
      const res = await ping(one);
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-policy']).toBe('"default";q=3;w=1');
      expect(res.headers.ratelimit).toBe(`"default";r=${remaining};t=1`);
      expect(res.body).toEqual({ ok: true });
    }
    const refused = await ping(one);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['ratelimit-policy']).toBe('"default";q=3;w=1');
    expect(refused.headers.ratelimit).toBe('"default";r=0;t=1');
    expect(refused.body).toEqual({
      error: 'rate_limited',
      error_description:
        'Too many requests: this API allows 3 requests per second per client; retry after 1 s.',
    });
    // Another client is not held back by the first one's flood.
    const theirs = await ping(other);
    expect(theirs.status).toBe(200);
    expect(theirs.headers.ratelimit).toBe('"default";r=2;t=1');

    vi.setSystemTime(new Date('2026-01-01T00:00:01.001Z'));
    const again = await ping(one);
    expect(again.status).toBe(200);
    expect(again.headers.ratelimit).toBe('"default";r=2;t=1');
  });

  it('is off at 0: no limit and no headers', async () => {
    const app = appWith(0);
    for (let i = 0; i < 5; i++) {
      const res = await request(app).get('/api/ping').set('Authorization', `Bearer ${one}`);
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-policy']).toBeUndefined();
    }
  });

  it('counts nothing for a refused token: the 401 comes first', async () => {
    const res = await request(appWith(1)).get('/api/ping').set('Authorization', 'Bearer nope');
    expect(res.status).toBe(401);
    expect(res.headers.ratelimit).toBeUndefined();
    expect(res.body.error).toBe('invalid_token');
  });

  it('checks its option', () => {
    expect(() => clientRateLimit({ requestsPerSecond: -1 })).toThrow(
      'clientRateLimit: requestsPerSecond must be an integer of 0 or more',
    );
    expect(() => clientRateLimit({ requestsPerSecond: 1.5 })).toThrow(/integer of 0 or more/);
  });
});
