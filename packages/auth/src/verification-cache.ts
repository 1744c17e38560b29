import type { AuthResult } from 'express-oauth2-jwt-bearer';
import type { Logger } from '@repo/logger';
import { discoveryUrls } from './discovery.js';

/** Options of the verification cache of {@link protectApi}; every field has a sane default. */
export interface VerificationCacheOptions {
  /**
   * Most tokens remembered at once. When full, the oldest entry is evicted unless it was used
   * since it was last considered (second chance, an approximation of least recently used).
   * Default 10 000.
   */
  maxEntries?: number;
  /**
   * Longer tokens are always verified from scratch and never stored, so the memory a flood of
   * tokens can pin stays bounded by `maxEntries × maxTokenLength`. Default 4 096 characters
   * (typical access tokens are 700–1 500).
   */
  maxTokenLength?: number;
  /** How often the JWKS is fetched and compared while the cache is in use. Default 30 s. */
  jwksCheckIntervalMs?: number;
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
  /** Times the whole cache was emptied because the JWKS changed (or could not be confirmed). */
  flushes: number;
  /** Increments every time the observed JWKS changes; entries carry the one they were made in. */
  generation: number;
}

interface Entry {
  /** The exact token this entry answers for. */
  token: string;
  auth: AuthResult;
  /** `exp` in seconds since the epoch, as in the token. */
  exp: number;
  generation: number;
  /** Hit since the eviction scan last passed it (second chance, see {@link VerificationCache.remember}). */
  recent: boolean;
}

/** What the cache needs from the verifying side; built by {@link protectApi}. */
export interface VerificationCacheSettings extends VerificationCacheOptions {
  issuerBaseURL: string;
  logger: Logger;
  /** Leeway for `exp`, in seconds: the same value the library is given. */
  clockToleranceSec: number;
  /** Minimum time between two JWKS checks triggered by an unknown `kid` (the library's cooldown). */
  jwksCooldownMs: number;
  /** How long one JWKS observation may be relied on (the library's JWKS `cacheMaxAge`). */
  jwksMaxAgeMs: number;
  timeoutMs: number;
  /** Milliseconds since the epoch; `Date.now` unless a test says otherwise. */
  now?: () => number;
}

/**
 * How many trailing characters of a token index the entries: hashing a whole token (~1 000
 * characters) for every lookup costs more than the rest of a hit together. A JWT ends with its
 * signature, so distinct tokens practically never share their last 32 characters; when they do,
 * the exact comparison makes it a miss, never a wrong hit.
 */
const INDEX_LENGTH = 32;
const indexKey = (token: string) =>
  token.length > INDEX_LENGTH ? token.slice(-INDEX_LENGTH) : token;

/** A canonical form of a JWKS: key members sorted, keys sorted, so reordering is not a change. */
function canonicalJwks(keys: unknown[]): string {
  return JSON.stringify(
    keys
      .map((key) =>
        JSON.stringify(
          Object.entries(key as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        ),
      )
      .sort(),
  );
}

/**
 * Remembers successful access-token verifications so a resource server does not repeat the
 * signature check (an RSA verification plus the library's per-request work) for a token it has
 * already accepted. Nothing is given up:
 *
 * - **Keyed by the exact token string.** A token differing in any character is a different key
 *   and goes through the full verification. (Entries are found by the token's last characters,
 *   then compared whole.)
 * - **Only successes are stored**, and only tokens whose `exp` is a number and whose `kid` is in
 *   the JWKS this cache itself observed. Failures are never remembered.
 * - **`exp` is checked on every hit** against the current clock with the library's clock
 *   tolerance (the same rule as jose: valid while `exp > now − tolerance`); an expired entry is
 *   dropped and the request is verified from scratch (and refused).
 * - **Emptied when the JWKS changes.** express-oauth2-jwt-bearer does not expose its JWKS fetches,
 *   so this cache watches the JWKS itself: it fetches the issuer's JWKS (from discovery) when first
 *   used, every `jwksCheckIntervalMs` (30 s) while in use, and — mirroring the library's own
 *   refetch trigger — whenever a token arrives whose `kid` it has not seen (rate-limited by the
 *   library's cooldown). When the canonical JWKS differs from the last one, the generation moves
 *   on and every entry is dropped; a verification that started under an older generation is not
 *   stored. A removed (revoked) key therefore stops being honoured from the cache within 30 s,
 *   while the library alone honours it until its own JWKS copy is older than `cacheMaxAge`
 *   (10 minutes). If the JWKS cannot be confirmed for `cacheMaxAge`, the cache stops answering
 *   and is emptied until a check succeeds again.
 * - **Bounded.** At most `maxEntries` entries (the oldest not used lately evicted first), each token at
 *   most `maxTokenLength` characters.
 *
 * Scope checks are not cached: `requireScopes` runs on every request against the cached claims.
 * Cached claims are frozen so one request cannot alter what the next one sees.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7517 (JWK Set)
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4 (validating JWT access tokens)
 */
export class VerificationCache {
  readonly maxEntries: number;
  readonly maxTokenLength: number;
  readonly #entries = new Map<string, Entry>();
  readonly #settings: VerificationCacheSettings;
  readonly #now: () => number;
  readonly #intervalMs: number;
  #generation = 0;
  #jwks: { canonical: string; kids: Set<string>; confirmedAt: number } | undefined;
  #lastCheckStarted = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #jwksUri: { url: string; foundAt: number } | undefined;
  #stats = { hits: 0, misses: 0, stored: 0, evicted: 0, expired: 0, flushes: 0 };

  constructor(settings: VerificationCacheSettings) {
    const maxEntries = settings.maxEntries ?? 10_000;
    const maxTokenLength = settings.maxTokenLength ?? 4_096;
    const intervalMs = settings.jwksCheckIntervalMs ?? 30_000;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError('verificationCache.maxEntries must be a positive integer');
    }
    if (!Number.isInteger(maxTokenLength) || maxTokenLength < 1) {
      throw new TypeError('verificationCache.maxTokenLength must be a positive integer');
    }
    if (!(intervalMs > 0)) {
      throw new TypeError('verificationCache.jwksCheckIntervalMs must be a positive number');
    }
    this.maxEntries = maxEntries;
    this.maxTokenLength = maxTokenLength;
    this.#intervalMs = intervalMs;
    this.#settings = settings;
    this.#now = settings.now ?? Date.now;
  }

  /** The current JWKS generation; pass it to {@link remember} after a verification. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * The verification result for exactly this token, if one is remembered, still unexpired, made
   * under the current JWKS, and that JWKS was confirmed recently enough.
   */
  lookup(token: string): AuthResult | undefined {
    const key = indexKey(token);
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.token !== token) {
      this.#stats.misses++;
      return undefined;
    }
    const now = this.#now();
    if (!this.#jwksTrusted(now)) {
      this.#flush('the JWKS could not be confirmed for too long');
      this.#stats.misses++;
      return undefined;
    }
    // jose's rule, the stricter of the library's two checks: valid while exp > now - tolerance.
    const nowSec = Math.floor(now / 1000);
    if (entry.exp <= nowSec - this.#settings.clockToleranceSec) {
      this.#entries.delete(key);
      this.#stats.expired++;
      this.#stats.misses++;
      return undefined;
    }
    if (entry.generation !== this.#generation) {
      this.#entries.delete(key);
      this.#stats.misses++;
      return undefined;
    }
    // Marked instead of moved to the Map's end: re-inserting a long key costs more than the rest
    // of the lookup. Eviction gives marked entries a second chance.
    entry.recent = true;
    this.#stats.hits++;
    return entry.auth;
  }

  /**
   * Stores a successful verification of `token`. `generation` is {@link generation} as read
   * before the verification started; if the JWKS changed meanwhile, nothing is stored.
   */
  remember(token: string, auth: AuthResult, generation: number): void {
    if (token.length > this.maxTokenLength) return;
    const kid = auth.header.kid;
    const exp = auth.payload.exp;
    const now = this.#now();
    if (this.#jwks === undefined || (typeof kid === 'string' && !this.#jwks.kids.has(kid))) {
      // The library just used keys this cache has not seen (first use, or a rotation): look.
      this.checkJwks();
      return;
    }
    if (typeof kid !== 'string' || typeof exp !== 'number') return;
    if (generation !== this.#generation || !this.#jwksTrusted(now)) return;
    // The same token again, or another with the same index: the newer one takes the place.
    const key = indexKey(token);
    this.#entries.delete(key);
    // Second chance (the CLOCK approximation of least-recently-used): the oldest entry goes,
    // unless it was hit since it was last looked at here; then it moves to the end, unmarked.
    while (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.entries().next();
      if (oldest.done) break;
      const [oldestKey, entry] = oldest.value;
      this.#entries.delete(oldestKey);
      if (entry.recent) {
        entry.recent = false;
        this.#entries.set(oldestKey, entry);
        continue;
      }
      this.#stats.evicted++;
    }
    Object.freeze(auth.payload);
    Object.freeze(auth.header);
    this.#entries.set(key, { token, auth: Object.freeze(auth), exp, generation, recent: false });
    this.#stats.stored++;
  }

  /**
   * Fetches the JWKS now (unless a check is already running or one started within the cooldown)
   * and empties the cache if it changed. Resolves when that check is over; never rejects.
   */
  checkJwks(options: { force?: boolean } = {}): Promise<void> {
    if (this.#inFlight) return this.#inFlight;
    const now = this.#now();
    if (!options.force && now - this.#lastCheckStarted < this.#settings.jwksCooldownMs) {
      return Promise.resolve();
    }
    this.#lastCheckStarted = now;
    this.#inFlight = this.#fetchAndCompare().finally(() => {
      this.#inFlight = undefined;
    });
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.checkJwks({ force: true }), this.#intervalMs);
      // A cache must never keep a process alive.
      this.#timer.unref();
    }
    return this.#inFlight;
  }

  /** Drops every entry (the counters stay). */
  clear(): void {
    this.#entries.clear();
  }

  /** Stops the periodic JWKS check (for tests and graceful shutdown); the cache keeps working. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  stats(): VerificationCacheStats {
    return {
      ...this.#stats,
      size: this.#entries.size,
      maxEntries: this.maxEntries,
      generation: this.#generation,
    };
  }

  #jwksTrusted(now: number): boolean {
    return this.#jwks !== undefined && now - this.#jwks.confirmedAt < this.#settings.jwksMaxAgeMs;
  }

  #flush(reason: string): void {
    if (this.#entries.size === 0) return;
    this.#entries.clear();
    this.#stats.flushes++;
    this.#settings.logger.info('verification cache emptied', { reason });
  }

  async #fetchAndCompare(): Promise<void> {
    const { logger, timeoutMs } = this.#settings;
    let keys: unknown[];
    try {
      keys = await this.#fetchKeys(timeoutMs);
    } catch (error) {
      // Keep the entries for now: lookups stop trusting them once jwksMaxAgeMs has passed.
      logger.warn('verification cache: JWKS check failed', { reason: (error as Error).message });
      return;
    }
    const canonical = canonicalJwks(keys);
    const kids = new Set(
      keys
        .map((key) => (key as { kid?: unknown }).kid)
        .filter((kid): kid is string => typeof kid === 'string'),
    );
    const confirmedAt = this.#now();
    if (this.#jwks === undefined || this.#jwks.canonical !== canonical) {
      const first = this.#jwks === undefined;
      this.#generation++;
      this.#jwks = { canonical, kids, confirmedAt };
      if (!first) this.#flush('the JWKS changed');
      return;
    }
    this.#jwks.confirmedAt = confirmedAt;
  }

  async #fetchKeys(timeoutMs: number): Promise<unknown[]> {
    const get = async (url: string) => {
      const res = await fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
      return (await res.json()) as unknown;
    };
    const now = this.#now();
    let jwksUri: unknown =
      this.#jwksUri && now - this.#jwksUri.foundAt < this.#settings.jwksMaxAgeMs
        ? this.#jwksUri.url
        : undefined;
    let lastError: unknown;
    for (const url of jwksUri ? [] : discoveryUrls(this.#settings.issuerBaseURL)) {
      try {
        jwksUri = ((await get(url)) as { jwks_uri?: unknown } | null)?.jwks_uri;
        if (typeof jwksUri === 'string') break;
      } catch (error) {
        lastError = error;
      }
    }
    if (typeof jwksUri !== 'string') {
      throw lastError instanceof Error ? lastError : new Error('discovery names no jwks_uri');
    }
    this.#jwksUri = {
      url: jwksUri,
      foundAt: this.#jwksUri?.url === jwksUri ? this.#jwksUri.foundAt : now,
    };
    let body: { keys?: unknown } | null;
    try {
      body = (await get(jwksUri)) as { keys?: unknown } | null;
    } catch (error) {
      // Perhaps the issuer moved its JWKS: ask discovery again next time.
      this.#jwksUri = undefined;
      throw error;
    }
    if (!Array.isArray(body?.keys)) throw new Error('the JWKS has no "keys" array');
    return body.keys;
  }
}
