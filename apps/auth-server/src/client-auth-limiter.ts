import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { HttpError } from '@repo/http';
import { isLimited, memoryStore, type LimiterStore } from './rate-limit-store.js';

export interface ClientAuthThrottleOptions {
  /** Failed authentications per client id in a window before its guesses are slowed; 0: off. */
  maxFailures: number;
  /** The window in which failures count, and so how long a client id stays slowed. */
  windowSeconds: number;
  /** While slowed: one guess per this many seconds, per client id and address. Default 2. */
  intervalSeconds?: number;
  /** How long a slowed guess may wait in line before a 429. Default 6. */
  maxWaitSeconds?: number;
  store?: LimiterStore;
}

/** What the caller reports once the request has been answered. */
export interface Admission {
  /** `true` when the client authenticated (whatever the answer): its attempt is given back. */
  settle(authenticated: boolean): void;
}

const NOTHING: Admission = { settle: () => {} };

/** Keys of a fixed size, whatever a caller claims as its id. */
const digest = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * Slows, never locks, online guessing of client secrets.
 *
 * Every request that claims a client id is counted (atomically, in the store) *before* its secret
 * is evaluated, so concurrent guesses cannot outrun the count; an authenticated request gives
 * its own count back afterwards (a success never erases anyone else's failures). After
 * `maxFailures` in the window, requests for that id are admitted one per `intervalSeconds` per
 * client id and address, in arrival order; one that would wait longer than `maxWaitSeconds` is
 * refused with 429 `too_many_attempts` and `Retry-After`, without its secret being looked at —
 * so the answer says nothing about the secret. A correct secret is never refused for someone
 * else's failures: from another address it has its own line, and from the same address it waits
 * its turn.
 *
 * Counters live in rate-limiter-flexible's store (memory, or Redis shared by replicas): expiring
 * keys, no fixed-size map that a flood of made-up ids could push a record out of.
 */
export class ClientAuthThrottle {
  private readonly attempts: RateLimiterAbstract | undefined;
  private readonly pace: RateLimiterAbstract | undefined;
  private readonly intervalMs: number;
  private readonly maxWaitMs: number;
  private readonly maxInLine: number;
  /** Requests waiting per line, in this process; a line is deleted when it empties. */
  private readonly lines = new Map<string, { tail: Promise<unknown>; waiting: number }>();

  constructor(options: ClientAuthThrottleOptions) {
    const store = options.store ?? memoryStore();
    const interval = options.intervalSeconds ?? 2;
    const maxWait = options.maxWaitSeconds ?? 6;
    this.intervalMs = interval * 1000;
    this.maxWaitMs = maxWait * 1000;
    this.maxInLine = Math.floor(maxWait / interval) + 1;
    if (options.maxFailures > 0) {
      this.attempts = store.limiter('client-auth', {
        points: options.maxFailures,
        duration: options.windowSeconds,
      });
      this.pace = store.limiter('client-auth-pace', { points: 1, duration: interval });
    }
  }

  /**
   * Counts one attempt for the client id and, when it is slowed, waits for this address's turn.
   * @throws HttpError 429 `too_many_attempts` when the turn would come too late.
   */
  async admit(clientId: string, address: string): Promise<Admission> {
    if (!this.attempts || !this.pace) return NOTHING;
    const key = digest(clientId);
    let slowed = false;
    try {
      await this.attempts.consume(key);
    } catch (rejection) {
      if (!isLimited(rejection)) throw rejection;
      slowed = true;
    }
    if (slowed) await this.waitInLine(digest(`${clientId}\u0000${address}`));
    const attempts = this.attempts;
    let settled = false;
    return {
      settle: (authenticated) => {
        if (settled || !authenticated) return;
        settled = true;
        void attempts.reward(key, 1).catch(() => undefined);
      },
    };
  }

  private refuse(waitMs: number): HttpError {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return new HttpError(
      429,
      'too_many_attempts',
      `Too many failed authentications for this client; try again in ${seconds} s.`,
      { headers: { 'Retry-After': String(seconds) } },
    );
  }

  private async waitInLine(key: string): Promise<void> {
    const line = this.lines.get(key) ?? { tail: Promise.resolve(), waiting: 0 };
    if (line.waiting >= this.maxInLine) throw this.refuse((line.waiting + 1) * this.intervalMs);
    const deadline = Date.now() + this.maxWaitMs;
    const turn = line.tail.then(() => this.take(key, deadline));
    line.tail = turn.catch(() => undefined);
    line.waiting += 1;
    this.lines.set(key, line);
    try {
      await turn;
    } finally {
      line.waiting -= 1;
      if (line.waiting === 0 && this.lines.get(key) === line) this.lines.delete(key);
    }
  }

  /** This line's next slot in the (shared) pace counter, or a 429 past the deadline. */
  private async take(key: string, deadline: number): Promise<void> {
    for (;;) {
      try {
        await this.pace!.consume(key);
        return;
      } catch (rejection) {
        if (!isLimited(rejection)) throw rejection;
        const wait = Math.max(rejection.msBeforeNext, 1);
        if (Date.now() + wait > deadline) throw this.refuse(wait);
        await sleep(wait);
      }
    }
  }
}
