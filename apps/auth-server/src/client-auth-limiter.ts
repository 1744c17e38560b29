import { createHash } from 'node:crypto';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { HttpError, retryAfterSeconds } from '@repo/http';
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

/** The global timer (not node:timers/promises), so that unit tests' fake time drives the line. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  /** Attempts admitted without slowing and not answered yet, per client id, in this process. */
  private readonly inFlight = new Map<string, { count: number; waiters: (() => void)[] }>();

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
    const deadline = Date.now() + this.maxWaitMs;
    let slowed = false;
    for (;;) {
      try {
        await this.attempts.consume(key);
        slowed = false;
        break;
      } catch (rejection) {
        if (!isLimited(rejection)) throw rejection;
        slowed = true;
        // The count may be full of attempts still being answered, not of failures: a client
        // that sends many requests at once. Those give their count back when they authenticate,
        // so wait for one of them to be answered and count again, before slowing this one.
        if (!this.inFlight.has(key) || Date.now() >= deadline) break;
        // This count is not kept while waiting: the retry counts again.
        await this.attempts.reward(key, 1);
        await this.oneAnswered(key, deadline - Date.now());
      }
    }
    if (slowed) await this.waitInLine(digest(`${clientId}\u0000${address}`));
    else this.started(key);
    const attempts = this.attempts;
    let settled = false;
    return {
      settle: (authenticated) => {
        if (settled) return;
        settled = true;
        // The count is given back first, so that those waiting for this answer find room.
        const given = authenticated ? attempts.reward(key, 1) : Promise.resolve();
        void given.catch(() => undefined).finally(() => slowed || this.answered(key));
      },
    };
  }

  private started(key: string): void {
    const entry = this.inFlight.get(key) ?? { count: 0, waiters: [] };
    entry.count += 1;
    this.inFlight.set(key, entry);
  }

  private answered(key: string): void {
    const entry = this.inFlight.get(key);
    if (!entry) return;
    entry.count -= 1;
    if (entry.count <= 0) this.inFlight.delete(key);
    for (const wake of entry.waiters.splice(0)) wake();
  }

  /** Waits until an attempt in flight for `key` is answered, or `withinMs` have passed. */
  private async oneAnswered(key: string, withinMs: number): Promise<void> {
    const entry = this.inFlight.get(key);
    if (!entry || withinMs <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, withinMs);
      entry.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private refuse(waitMs: number): HttpError {
    const seconds = retryAfterSeconds(waitMs);
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
    // The last place that fits is due exactly `maxWaitMs` from now: half a slot of slack keeps
    // timer and event-loop delays from refusing it, while the next place (a whole slot later)
    // is still refused.
    const deadline = Date.now() + this.maxWaitMs + this.intervalMs / 2;
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
