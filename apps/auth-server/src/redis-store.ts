// Its own module, imported only when REDIS_URL is set: ioredis costs some 100-200 ms of CPU to
// load, which a process counting in memory (the demo's default) has no use for.
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Logger } from '@repo/logger';
import { MemoryAdapter } from './memory-adapter.js';
import { RedisAdapter } from './redis-adapter.js';
import { COUNTING_ALONE, maskRedisUrl, type LimiterStore } from './rate-limit-store.js';

export interface RedisStoreOptions {
  url: string;
  /** Every key starts with it (tests use a unique one). */
  keyPrefix?: string;
  logger?: Logger;
}

/**
 * Counters in Redis, shared by every replica (atomic Lua increments). While Redis cannot be
 * reached, each process falls back to its own memory counters (the library's insurance limiter)
 * rather than refuse every token request.
 */
export function redisStore({
  url,
  keyPrefix = 'auth-server',
  logger,
}: RedisStoreOptions): LimiterStore {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: false,
  });
  let reported = false;
  client.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    logger?.warn('rate limit store unreachable, counting in memory meanwhile', {
      redis: maskRedisUrl(url),
      reason: error.message,
    });
  });
  client.on('ready', () => {
    if (reported) logger?.info('rate limit store reachable again', { redis: maskRedisUrl(url) });
    reported = false;
  });
  return {
    kind: 'redis',
    providerAdapter: (model) =>
      new RedisAdapter(client, `${keyPrefix}:oidc`, model, new MemoryAdapter(model)),
    status: () =>
      client.status === 'ready'
        ? { ok: true, store: 'redis', shared: true }
        : { ok: true, store: 'redis', shared: false, reason: COUNTING_ALONE },
    limiter: (name, { points, duration }) =>
      new RateLimiterRedis({
        storeClient: client,
        keyPrefix: `${keyPrefix}:${name}`,
        points,
        duration,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points, duration }),
      }),
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
