import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpError } from '@repo/http';
import { DEMO_CLIENTS } from '@repo/contracts';
import { ClientAuthThrottle } from '../src/client-auth-limiter.js';
import { memoryStore } from '../src/rate-limit-store.js';
import { redisStore } from '../src/redis-store.js';
import { perTest } from './support/per-test.js';
import { requestToken } from './support/token-request.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const { start } = perTest();

afterEach(() => {
  vi.useRealTimers();
});

/** What admit() came to: admitted, or the 429's seconds. */
async function outcome(promise: Promise<unknown>): Promise<'admitted' | number> {
  try {
    await promise;
    return 'admitted';
  } catch (error) {
    if (error instanceof HttpError && error.status === 429) {
      expect(error.code).toBe('too_many_attempts');
      return Number(error.headers['Retry-After']);
    }
    throw error;
  }
}

describe('the client authentication throttle', () => {
  it('counts before evaluating: of 60 concurrent guesses, 5 pass at once and the rest are paced or refused', async () => {
    vi.useFakeTimers();
    const throttle = new ClientAuthThrottle({
      maxFailures: 5,
      windowSeconds: 60,
      store: memoryStore(),
    });
    const results: ('admitted' | number)[] = [];
    // Each admitted guess is answered at once, as the wrong guess it is.
    const guess = () =>
      throttle.admit('storefront', '10.0.0.1').then((admission) => {
        admission.settle(false);
        return admission;
      });
    const all = Array.from({ length: 60 }, () =>
      outcome(guess()).then((r) => {
        results.push(r);
        if (r === 'admitted') return;
      }),
    );
    await vi.advanceTimersByTimeAsync(0);
    // 5 within the allowance plus the first paced slot, at once; 4 may wait in line; 51 refused.
    expect(results.filter((r) => r === 'admitted')).toHaveLength(6);
    expect(results.filter((r) => typeof r === 'number')).toHaveLength(51);
    await vi.advanceTimersByTimeAsync(6_500);
    await Promise.all(all);
    const admitted = results.filter((r) => r === 'admitted').length;
    // One per 2 s for those that can be served within 6 s (7 measured; 60 before the fix).
    expect(admitted).toBeGreaterThanOrEqual(7);
    expect(admitted).toBeLessThanOrEqual(9);
    expect(results.filter((r) => typeof r === 'number').every((s) => Number(s) >= 1)).toBe(true);
  });

  it('admits a burst of correct requests at once: those in flight give their count back', async () => {
    vi.useFakeTimers();
    const throttle = new ClientAuthThrottle({
      maxFailures: 5,
      windowSeconds: 60,
      store: memoryStore(),
    });
    // 40 requests of one client at once (replicas starting together), each answered with a token
    // a moment after it is admitted.
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        outcome(
          throttle.admit('storefront', '10.0.0.2').then(async (admission) => {
            await Promise.resolve();
            admission.settle(true);
          }),
        ),
      ),
    );
    expect(results.filter((r) => r === 'admitted')).toHaveLength(40);
  });

  it('a flood of 10,000 other ids evicts nothing: the real id stays slowed', async () => {
    vi.useFakeTimers();
    const throttle = new ClientAuthThrottle({
      maxFailures: 5,
      windowSeconds: 60,
      store: memoryStore(),
    });
    for (let i = 0; i < 5; i += 1) (await throttle.admit('storefront', 'x')).settle(false);
    for (let i = 0; i < 10_000; i += 1) (await throttle.admit(`made-up-${i}`, 'x')).settle(false);
    // The next guess for the real id takes the paced slot; the one after waits its turn.
    expect(await outcome(throttle.admit('storefront', 'x'))).toBe('admitted');
    const next = outcome(throttle.admit('storefront', 'x'));
    let done = false;
    void next.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1_100);
    expect(await next).toBe('admitted');
  });

  it("one success gives back only its own count, never an attacker's failures", async () => {
    vi.useFakeTimers();
    const throttle = new ClientAuthThrottle({
      maxFailures: 3,
      windowSeconds: 60,
      store: memoryStore(),
    });
    for (let i = 0; i < 3; i += 1) (await throttle.admit('a', 'attacker')).settle(false);
    const success = await throttle.admit('a', 'service');
    success.settle(true);
    // Still slowed: the paced slot of this address was just taken by nobody, so one passes...
    expect(await outcome(throttle.admit('a', 'attacker'))).toBe('admitted');
    // ...and the next one from the attacker must wait.
    const waiting = outcome(throttle.admit('a', 'attacker'));
    await vi.advanceTimersByTimeAsync(100);
    let settled = false;
    void waiting.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(100);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await waiting).toBe('admitted');
  });

  it('serves the last place in line even when the event loop runs late', async () => {
    vi.useFakeTimers();
    const throttle = new ClientAuthThrottle({
      maxFailures: 1,
      windowSeconds: 60,
      store: memoryStore(),
    });
    (await throttle.admit('a', 'x')).settle(false);
    // Four places: due now, in 2 s, 4 s and 6 s, the last exactly at the longest wait.
    const line = Array.from({ length: 4 }, () => outcome(throttle.admit('a', 'x')));
    for (let i = 0; i < 3; i += 1) {
      await vi.advanceTimersByTimeAsync(2_000);
      // A busy process: the clock moves on before the next timer runs.
      vi.setSystemTime(Date.now() + 40);
    }
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await Promise.all(line)).toEqual(['admitted', 'admitted', 'admitted', 'admitted']);
  });

  it('is off with maxFailures 0', async () => {
    const throttle = new ClientAuthThrottle({ maxFailures: 0, windowSeconds: 60 });
    for (let i = 0; i < 100; i += 1)
      expect(await outcome(throttle.admit('a', 'x'))).toBe('admitted');
  });
});

describe('the throttle over HTTP', () => {
  const wrong = { clientId: 'storefront', clientSecret: 'guess', api: 'urn:giftdeliveries' };
  const right = { ...wrong, clientSecret: DEMO_CLIENTS.storefront.devSecret };

  it(
    'slows guesses, never locks: after the failures a correct secret still gets its token',
    { timeout: 30_000 },
    async () => {
      const server = await start({ env: { CLIENT_AUTH_MAX_FAILURES: '3' } });
      const endpoint = `${server.url}/oauth/token`;
      for (let i = 0; i < 3; i += 1) expect((await requestToken(endpoint, wrong)).status).toBe(401);
      const started = Date.now();
      // 4 at once: one admitted now, the others one per 2 s; the fifth would wait past 6 s.
      const burst = await Promise.all(
        Array.from({ length: 5 }, () => requestToken(endpoint, wrong)),
      );
      const statuses = burst.map((r) => r.status).sort();
      expect(statuses).toEqual([401, 401, 401, 401, 429]);
      const refused = burst.find((r) => r.status === 429)!;
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.headers.get('cache-control')).toBe('no-store');
      expect(refused.body).toEqual({
        error: 'too_many_attempts',
        error_description: expect.stringMatching(
          /^Too many failed authentications for this client; try again in \d+ s\.$/,
        ),
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(5_000);
      const token = await requestToken(endpoint, right);
      expect(token.status).toBe(200);
      expect(token.body.token_type).toBe('Bearer');
      expect(server.logs).toContainEqual(
        expect.objectContaining({ message: 'token refused', error: 'too_many_attempts' }),
      );
      expect(server.logText()).not.toContain(DEMO_CLIENTS.storefront.devSecret);
    },
  );

  it(
    'counts a refusal for an Origin header, even with the right secret, like a wrong secret',
    { timeout: 30_000 },
    async () => {
      const server = await start({ env: { CLIENT_AUTH_MAX_FAILURES: '3' } });
      const endpoint = `${server.url}/oauth/token`;
      const fromBrowser = () =>
        fetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            origin: 'https://evil.example',
          },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: right.clientId,
            client_secret: right.clientSecret,
            audience: right.api,
          }).toString(),
        });
      for (let i = 0; i < 3; i += 1) expect((await fromBrowser()).status).toBe(401);
      // Counted: the throttle is full, so of 5 at once one is admitted now, three are paced and
      // the fifth would wait past 6 s. Not counted, all 5 would be answered 401.
      const burst = await Promise.all(
        Array.from({ length: 5 }, () => requestToken(endpoint, wrong)),
      );
      expect(burst.map((r) => r.status).sort()).toEqual([401, 401, 401, 401, 429]);
    },
  );

  it('is shared by two instances on one Redis', { timeout: 30_000 }, async () => {
    const keyPrefix = `auth-server-test-${randomUUID()}`;
    const a = await start({
      env: { CLIENT_AUTH_MAX_FAILURES: '4' },
      store: redisStore({ url: REDIS_URL, keyPrefix }),
    });
    const b = await start({
      env: { CLIENT_AUTH_MAX_FAILURES: '4' },
      store: redisStore({ url: REDIS_URL, keyPrefix }),
    });
    // Two failures at each instance: the client id's allowance of 4 is spent across both.
    for (const server of [a, b, a, b]) {
      expect((await requestToken(`${server.url}/oauth/token`, wrong)).status).toBe(401);
    }
    const burst = await Promise.all([
      requestToken(`${b.url}/oauth/token`, wrong),
      requestToken(`${b.url}/oauth/token`, wrong),
    ]);
    // Paced by the shared counter: one now, the other only after the 2 s slot.
    expect(burst.map((r) => r.status)).toEqual([401, 401]);
    const started = Date.now();
    expect((await requestToken(`${a.url}/oauth/token`, wrong)).status).toBe(401);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });
});
