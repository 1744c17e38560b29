import { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Adapter } from 'oidc-provider';
import type { Logger } from '@repo/logger';
import { MemoryAdapter } from './memory-adapter.js';
import { RedisAdapter } from './redis-adapter.js';

/**
 * The auth-server's shared state: the throttle's and quotas' counters and oidc-provider's one-time
 * records, in one place, so that every part of a process (and, with Redis, every replica) agrees.
 */
export interface LimiterStore {
  /** A counter of `points` per `duration` seconds, its keys under `name`. */
  limiter(name: string, options: { points: number; duration: number }): RateLimiterAbstract;
  /** `memory` or `redis`, for the start-up log line. */
  readonly kind: 'memory' | 'redis';
  /** oidc-provider's storage for one model (its one-time `jti` records), in the same place. */
  providerAdapter(model: string): Adapter;
  /** For `/readyz`: whether the counters are shared with the other replicas right now. */
  status(): StoreStatus;
  close(): Promise<void>;
}

/**
 * Always `ok`: while Redis is away each replica counts alone (still a throttle), so an outage of
 * Redis must not take every replica out of its load balancer and stop all token requests.
 */
export interface StoreStatus {
  ok: true;
  store: 'memory' | 'redis';
  /** Counted together with every replica on the same store. */
  shared: boolean;
  reason?: string;
}

/** While Redis cannot be reached: what `/readyz` says. */
export const COUNTING_ALONE = 'Redis is unreachable: this replica counts alone until it is back.';

/** Counters in this process (rate-limiter-flexible's memory store: expiring keys, no size cap to evict). */
export function memoryStore(): LimiterStore {
  return {
    kind: 'memory',
    status: () => ({ ok: true, store: 'memory', shared: false }),
    providerAdapter: (model) => new MemoryAdapter(model),
    limiter: (name, { points, duration }) =>
      new RateLimiterMemory({ keyPrefix: name, points, duration }),
    close: async () => {},
  };
}

export interface RedisStoreOptions {
  url: string;
  /** Every key starts with it (tests use a unique one). */
  keyPrefix?: string;
  logger?: Logger;
}

/** `redis://user:***@host:port/db`: where the store is, never its password. */
export function maskRedisUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
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

/** A refusal of the limiter (as opposed to a failure of its store). */
export function isLimited(value: unknown): value is RateLimiterRes {
  return value instanceof RateLimiterRes;
}
