import { describe, expect, it } from 'vitest';
import { ClientAuthLimiter } from '../src/client-auth-limiter.js';
import { startAuthServer } from './support/in-process.js';
import { requestToken } from './support/token-request.js';
import { DEMO_CLIENTS } from '@repo/contracts';

describe('the client authentication limiter', () => {
  it('locks a client id and address out after the allowed failures, for the lockout time', () => {
    let now = 0;
    const limiter = new ClientAuthLimiter({ maxFailures: 3, lockoutSeconds: 30, now: () => now });
    limiter.recordFailure('a', '1.1.1.1');
    limiter.recordFailure('a', '1.1.1.1');
    expect(limiter.retryAfterSeconds('a', '1.1.1.1')).toBe(0);
    limiter.recordFailure('a', '1.1.1.1');
    expect(limiter.retryAfterSeconds('a', '1.1.1.1')).toBe(30);
    expect(limiter.retryAfterSeconds('a', '2.2.2.2')).toBe(0);
    expect(limiter.retryAfterSeconds('b', '1.1.1.1')).toBe(0);
    now = 29_500;
    expect(limiter.retryAfterSeconds('a', '1.1.1.1')).toBe(1);
    now = 30_000;
    expect(limiter.retryAfterSeconds('a', '1.1.1.1')).toBe(0);
  });

  it('forgets failures older than the window and after a success', () => {
    let now = 0;
    const limiter = new ClientAuthLimiter({ maxFailures: 2, lockoutSeconds: 10, now: () => now });
    limiter.recordFailure('a', 'x');
    now = 11_000;
    limiter.recordFailure('a', 'x');
    expect(limiter.retryAfterSeconds('a', 'x')).toBe(0);
    limiter.recordSuccess('a', 'x');
    limiter.recordFailure('a', 'x');
    expect(limiter.retryAfterSeconds('a', 'x')).toBe(0);
  });

  it('is off when the allowed failures are 0', () => {
    const limiter = new ClientAuthLimiter({ maxFailures: 0, lockoutSeconds: 10 });
    for (let i = 0; i < 50; i += 1) limiter.recordFailure('a', 'x');
    expect(limiter.retryAfterSeconds('a', 'x')).toBe(0);
  });

  it('remembers a bounded number of pairs', () => {
    const limiter = new ClientAuthLimiter({ maxFailures: 1, lockoutSeconds: 10, maxEntries: 2 });
    limiter.recordFailure('a', 'x');
    limiter.recordFailure('b', 'x');
    limiter.recordFailure('c', 'x');
    expect(limiter.retryAfterSeconds('a', 'x')).toBe(0);
    expect(limiter.retryAfterSeconds('c', 'x')).toBeGreaterThan(0);
  });

  it('answers 429 with Retry-After after repeated invalid_client, even to the right secret, for that client only', async () => {
    const server = await startAuthServer({
      env: { CLIENT_AUTH_MAX_FAILURES: '3', CLIENT_AUTH_LOCKOUT_SECONDS: '120' },
    });
    try {
      const endpoint = `${server.url}/oauth/token`;
      const wrong = { clientId: 'storefront', clientSecret: 'guess', api: 'urn:giftdeliveries' };
      for (let i = 0; i < 3; i += 1) {
        expect((await requestToken(endpoint, wrong)).status).toBe(401);
      }
      const locked = await requestToken(
        endpoint,
        { ...wrong, clientSecret: DEMO_CLIENTS.storefront.devSecret },
        { body: 'json', auth: 'client_secret_basic', target: 'resource' },
      );
      expect(locked.status).toBe(429);
      expect(locked.headers.get('retry-after')).toBe('120');
      expect(locked.body).toEqual({
        error: 'too_many_attempts',
        error_description:
          'Too many failed authentications for client "storefront" from this address; try again in 120 s.',
      });
      const other = await requestToken(endpoint, {
        clientId: 'giftdeliveries',
        clientSecret: DEMO_CLIENTS.giftdeliveries.devSecret,
        api: 'urn:worldmappers',
      });
      expect(other.status).toBe(200);
      expect(server.logs).toContainEqual(
        expect.objectContaining({
          message: 'token refused',
          error: 'too_many_attempts',
          client_id: 'storefront',
        }),
      );
    } finally {
      await server.close();
    }
  });
});
