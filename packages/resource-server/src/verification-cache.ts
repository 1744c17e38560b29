import type { AuthResult } from 'express-oauth2-jwt-bearer';
import { LRUCache } from 'lru-cache';
import type { KeySet } from '@repo/issuer-metadata';
import type { Logger } from '@repo/logger';

/** Options of the verification cache of {@link protectApi}. */
export interface VerificationCacheOptions {
  /** Most tokens remembered at once; the least recently used goes first. Default 10 000. */
  maxEntries?: number;
  /**
   * Longer tokens are always verified from scratch and never stored, so the memory a flood of
   * tokens can pin stays below `maxEntries × maxTokenLength`. Default 4 096 characters.
   */
  maxTokenLength?: number;
}

/** Counters of a {@link VerificationCache}, for benchmarks, tests and diagnostics. */
export interface VerificationCacheStats {
  /** Entries held now (never more than `maxEntries`). */
  size: number;
  maxEntries: number;
  /** Requests answered from the cache. */
  hits: number;
  /** Cacheable requests that went to the full verification. */
  misses: number;
  /** Successful verifications stored. */
  stored: number;
  /** Entries dropped to stay within `maxEntries`. */
  evicted: number;
  /** Entries dropped because their token expired. */
  expired: number;
  /** Times the cache was emptied because the JWKS changed or could not be confirmed. */
  flushes: number;
}

interface Entry {
  /** The exact token this entry answers for. */
  token: string;
  auth: AuthResult;
  /** `exp`, in seconds since the epoch. */
  exp: number;
}

/**
 * Entries are found by a token's last characters (its signature's), then compared whole: hashing
 * a whole token for every lookup costs more than the rest of a hit together.
 */
const tail = (token: string) => (token.length > 32 ? token.slice(-32) : token);

/**
 * Successful verifications of {@link protectApi} per exact token, valid only with the JWKS they
 * were made with (`README.md` says why it exists and what it may never do).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
export class VerificationCache {
  readonly maxEntries: number;
  readonly maxTokenLength: number;
  readonly #entries: LRUCache<string, Entry>;
  readonly #toleranceSec: number;
  readonly #logger: Logger;
  /** The JWKS every entry was verified with. */
  #keys: KeySet | undefined;
  readonly #stats = { hits: 0, misses: 0, stored: 0, evicted: 0, expired: 0, flushes: 0 };

  constructor(options: VerificationCacheOptions & { clockToleranceSec: number; logger: Logger }) {
    const { maxEntries = 10_000, maxTokenLength = 4_096 } = options;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError('verificationCache.maxEntries must be a positive integer');
    }
    if (!Number.isInteger(maxTokenLength) || maxTokenLength < 1) {
      throw new TypeError('verificationCache.maxTokenLength must be a positive integer');
    }
    this.maxEntries = maxEntries;
    this.maxTokenLength = maxTokenLength;
    this.#toleranceSec = options.clockToleranceSec;
    this.#logger = options.logger;
    this.#entries = new LRUCache<string, Entry>({
      max: maxEntries,
      dispose: (_entry, _token, reason) => {
        if (reason === 'evict') this.#stats.evicted++;
        else if (reason === 'expire') this.#stats.expired++;
      },
    });
  }

  /**
   * The verification of exactly `token`, if one was made with `keys` (the JWKS in use now; a
   * different one empties the cache) and its `exp` has not passed, with the library's tolerance.
   */
  lookup(token: string, keys: KeySet | undefined): AuthResult | undefined {
    if (keys !== this.#keys) this.#use(keys);
    const entry = keys && this.#entries.get(tail(token));
    if (entry === undefined || entry.token !== token) {
      this.#stats.misses++;
      return undefined;
    }
    // jose's rule: valid while exp > now - tolerance.
    if (entry.exp <= Math.floor(Date.now() / 1000) - this.#toleranceSec) {
      this.#entries.delete(tail(token));
      this.#stats.expired++;
      this.#stats.misses++;
      return undefined;
    }
    this.#stats.hits++;
    return entry.auth;
  }

  /** Stores a successful verification of `token` made with `keys`, frozen, until its `exp`. */
  remember(token: string, auth: AuthResult, keys: KeySet): void {
    const { kid } = auth.header;
    const { exp } = auth.payload;
    if (keys !== this.#keys || token.length > this.maxTokenLength) return;
    if (typeof kid !== 'string' || !keys.kids.has(kid) || typeof exp !== 'number') return;
    const ttl = (exp + this.#toleranceSec) * 1000 - Date.now();
    if (!(ttl > 0)) return;
    Object.freeze(auth.payload);
    Object.freeze(auth.header);
    this.#entries.set(tail(token), { token, auth: Object.freeze(auth), exp }, { ttl });
    this.#stats.stored++;
  }

  stats(): VerificationCacheStats {
    return { ...this.#stats, size: this.#entries.size, maxEntries: this.maxEntries };
  }

  #use(keys: KeySet | undefined): void {
    if (this.#entries.size > 0) {
      this.#entries.clear();
      this.#stats.flushes++;
      this.#logger.info('verification cache emptied', {
        reason: keys ? 'the JWKS changed' : 'the JWKS could not be confirmed',
      });
    }
    this.#keys = keys;
  }
}
