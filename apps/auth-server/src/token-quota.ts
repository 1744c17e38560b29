import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { retryAfterSeconds } from '@repo/http';
import { isLimited, memoryStore, type LimiterStore } from './rate-limit-store.js';

/** Refused: the client has had its tokens for this hour. */
export class QuotaExceeded extends Error {
  override readonly name = 'QuotaExceeded';
  constructor(
    readonly clientId: string,
    readonly quotaPerHour: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `client "${clientId}" has used its quota of ${quotaPerHour} tokens per hour; try again in ${retryAfterSeconds} s`,
    );
  }
}

/**
 * Tokens per client per hour (the registry's `tokenQuotaPerHour`, like Auth0's M2M token
 * quotas), counted in the shared limiter store. Only authenticated clients are counted, so no one
 * can spend another client's quota.
 */
export class TokenQuota {
  private readonly limiters = new Map<number, RateLimiterAbstract>();

  constructor(private readonly store: LimiterStore = memoryStore()) {}

  private limiter(perHour: number): RateLimiterAbstract {
    let limiter = this.limiters.get(perHour);
    if (!limiter) {
      limiter = this.store.limiter(`token-quota-${perHour}`, { points: perHour, duration: 3600 });
      this.limiters.set(perHour, limiter);
    }
    return limiter;
  }

  /** Counts one token for the client. @throws QuotaExceeded */
  async consume(clientId: string, perHour: number): Promise<void> {
    try {
      await this.limiter(perHour).consume(clientId);
    } catch (rejection) {
      if (!isLimited(rejection)) throw rejection;
      throw new QuotaExceeded(clientId, perHour, retryAfterSeconds(rejection.msBeforeNext));
    }
  }
}
