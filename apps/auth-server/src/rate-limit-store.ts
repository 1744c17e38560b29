import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Adapter } from 'oidc-provider';
import { MemoryAdapter } from './memory-adapter.js';

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

/** `redis://user:***@host:port/db`: where the store is, never its password. */
export function maskRedisUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** A refusal of the limiter (as opposed to a failure of its store). */
export function isLimited(value: unknown): value is RateLimiterRes {
  return value instanceof RateLimiterRes;
}
