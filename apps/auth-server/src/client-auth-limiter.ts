export interface ClientAuthLimiterOptions {
  /** Failed authentications allowed before a lockout; 0 disables the limiter. */
  maxFailures: number;
  /** How long a lockout lasts, and the window in which failures are counted. */
  lockoutSeconds: number;
  /** Most pairs remembered at once, so that a flood of made-up ids cannot exhaust memory. */
  maxEntries?: number;
  /** Milliseconds; tests move time. */
  now?: () => number;
}

interface Entry {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

/**
 * Counts failed client authentications (`invalid_client`) per client id and address, and locks
 * the pair out for a while after too many, so that a client secret cannot be guessed online.
 * Other addresses, and other clients from the same address, are not affected.
 */
export class ClientAuthLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly maxEntries: number;

  constructor(private readonly options: ClientAuthLimiterOptions) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  private key(clientId: string, address: string): string {
    return `${address}\u0000${clientId}`;
  }

  /** Seconds until the pair may try again, or 0 when it may try now. */
  retryAfterSeconds(clientId: string, address: string): number {
    if (this.options.maxFailures <= 0) return 0;
    const entry = this.entries.get(this.key(clientId, address));
    if (!entry) return 0;
    const remaining = entry.lockedUntil - this.now();
    return remaining > 0 ? Math.ceil(remaining / 1000) : 0;
  }

  /** One more failed authentication for the pair. */
  recordFailure(clientId: string, address: string): void {
    if (this.options.maxFailures <= 0) return;
    const key = this.key(clientId, address);
    const now = this.now();
    const windowMs = this.options.lockoutSeconds * 1000;
    let entry = this.entries.get(key);
    if (!entry || now - entry.windowStart > windowMs) {
      entry = { failures: 0, windowStart: now, lockedUntil: 0 };
    }
    entry.failures += 1;
    if (entry.failures >= this.options.maxFailures) {
      entry.lockedUntil = now + windowMs;
      entry.failures = 0;
      entry.windowStart = now;
    }
    // Re-insert so that the Map's order is least recently failed first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** A successful authentication clears the pair's record. */
  recordSuccess(clientId: string, address: string): void {
    this.entries.delete(this.key(clientId, address));
  }
}
