/**
 * The one-time `jti` records (client assertions, DPoP proofs) through oidc-provider's own
 * ReplayDetection model: atomic within a process, shared by replicas on one Redis (the machine's,
 * a key prefix of this test's own), and still checked per process while Redis is away.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer } from '@repo/testkit';
import { memoryStore, type LimiterStore } from '../src/rate-limit-store.js';
import { redisStore } from '../src/redis-store.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ISSUER = 'http://127.0.0.1:1/';

const stores: LimiterStore[] = [];
let signingKey: JWK;
beforeAll(async () => {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  signingKey = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'test' };
});
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

/** A provider with the app's storage: what createProvider passes as `adapter`. */
function providerOn(store: LimiterStore): Provider {
  stores.push(store);
  const configuration: Configuration = {
    adapter: (model: string) => store.providerAdapter(model),
    clients: [],
    cookies: { keys: ['a-test-cookie-key-of-some-length'] },
    jwks: { keys: [signingKey as never] },
    features: { devInteractions: { enabled: false } },
  };
  return new Provider(ISSUER, configuration);
}

const exp = () => Math.floor(Date.now() / 1000) + 60;

async function ready(store: LimiterStore) {
  for (let i = 0; i < 100 && !store.status().shared; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(store.status().shared).toBe(true);
}

describe('one-time jti records', () => {
  it('in memory: of ten identical checks at once, exactly one passes', async () => {
    const provider = providerOn(memoryStore());
    const jti = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => provider.ReplayDetection.unique('client', jti, exp())),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await provider.ReplayDetection.unique('client', jti, exp())).toBe(false);
    // Another issuer's jti of the same value is another record.
    expect(await provider.ReplayDetection.unique('other-client', jti, exp())).toBe(true);
  });

  it('on one Redis: a jti seen by one replica is refused by the other, even at the same moment', async () => {
    const keyPrefix = `auth-server-test-${randomUUID()}`;
    const storeA = redisStore({ url: REDIS_URL, keyPrefix });
    const storeB = redisStore({ url: REDIS_URL, keyPrefix });
    const [a, b] = [providerOn(storeA), providerOn(storeB)];
    await ready(storeA);
    await ready(storeB);
    const first = randomUUID();
    expect(await a.ReplayDetection.unique('client', first, exp())).toBe(true);
    expect(await b.ReplayDetection.unique('client', first, exp())).toBe(false);
    expect(await a.ReplayDetection.unique('client', first, exp())).toBe(false);

    for (let round = 0; round < 20; round += 1) {
      const jti = randomUUID();
      const results = await Promise.all([
        a.ReplayDetection.unique('client', jti, exp()),
        b.ReplayDetection.unique('client', jti, exp()),
        a.ReplayDetection.unique('client', jti, exp()),
        b.ReplayDetection.unique('client', jti, exp()),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });

  it('expires with the record: the key in Redis lives as long as the jti may be replayed', async () => {
    const keyPrefix = `auth-server-test-${randomUUID()}`;
    const store = redisStore({ url: REDIS_URL, keyPrefix });
    const provider = providerOn(store);
    await ready(store);
    const { Redis } = await import('ioredis');
    const probe = new Redis(REDIS_URL);
    try {
      expect(await provider.ReplayDetection.unique('client', randomUUID(), exp())).toBe(true);
      const keys = await probe.keys(`${keyPrefix}:oidc:ReplayDetection:*`);
      expect(keys).toHaveLength(1);
      const ttl = await probe.ttl(keys[0]!);
      expect(ttl).toBeGreaterThan(50);
      expect(ttl).toBeLessThanOrEqual(60);
    } finally {
      probe.disconnect();
    }
  });

  it('while Redis is away: each replica still refuses its own replays, and nothing fails', async () => {
    const redis = await startRedisServer();
    try {
      const store = redisStore({ url: redis.url, keyPrefix: 'replay-outage' });
      const provider = providerOn(store);
      await ready(store);
      await redis.stop();
      for (let i = 0; i < 50 && store.status().shared; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(store.status().shared).toBe(false);
      const jti = randomUUID();
      expect(await provider.ReplayDetection.unique('client', jti, exp())).toBe(true);
      expect(await provider.ReplayDetection.unique('client', jti, exp())).toBe(false);
    } finally {
      await redis.close();
    }
  });
});
