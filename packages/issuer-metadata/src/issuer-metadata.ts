import { normalizeIssuer } from '@repo/config';
import { discoveryUrls } from './discovery-urls.js';
import { IssuerMetadataError, IssuerUnavailableError } from './errors.js';

/** Options of {@link createIssuerMetadata}. */
export interface IssuerMetadataOptions {
  /** The authorization server's issuer URL, with or without its trailing slash. */
  issuer: string;
  /** How long a fetched discovery document or JWKS is relied on. Default 600 000 (10 minutes). */
  maxAgeMs?: number;
  /**
   * While keys are in use, the JWKS is fetched again in the background once it is this old, so a
   * removed key stops being trusted soon. Default 30 000 (30 s).
   */
  keysRefreshMs?: number;
  /**
   * Least time between two JWKS fetches asked for by an unknown `kid` (a rotated key, or a forged
   * one): forged `kid`s cannot make the service a JWKS-fetching amplifier. Default 1 000 (1 s).
   */
  keysCooldownMs?: number;
  /** Timeout of each request. Default 5 000 (5 s). */
  timeoutMs?: number;
  /** The `fetch` to use; tests pass a fake one. Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
}

/** An issuer's discovery document: the members this project reads, and any others. */
export interface IssuerDocument {
  issuer?: unknown;
  token_endpoint?: unknown;
  jwks_uri?: unknown;
  [member: string]: unknown;
}

/** The discovery document and the URL it was found at. */
export interface DiscoveredDocument {
  url: string;
  document: IssuerDocument;
}

/** A JWKS as fetched (RFC 7517 §5). The object stays the same until the keys really change. */
export interface KeySet {
  readonly jwks: { readonly keys: readonly Record<string, unknown>[] };
  /** The `kid`s of its keys. */
  readonly kids: ReadonlySet<string>;
  /** Where it was fetched (the discovery `jwks_uri`). */
  readonly uri: string;
}

/** Counters of an {@link IssuerMetadata} client. */
export interface IssuerMetadataStats {
  /** HTTP requests for discovery documents. */
  documentRequests: number;
  /** HTTP requests for the JWKS. */
  keysRequests: number;
}

/**
 * One authorization server's metadata, fetched and cached once for the whole process: the token
 * provider reads `token_endpoint`, protection reads the issuer and its keys, readiness checks both.
 */
export interface IssuerMetadata {
  /** The issuer URL, normalised to one trailing slash. */
  readonly issuer: string;
  /** The discovery document (cached for `maxAgeMs`). */
  document(): Promise<DiscoveredDocument>;
  /** The discovery `token_endpoint`, if it is an absolute http(s) URL. */
  tokenEndpoint(): Promise<string>;
  /**
   * The JWKS (cached for `maxAgeMs`). Given a `kid` it does not hold, fetches it again, at most
   * once per `keysCooldownMs` (waiting for the cooldown's end when needed).
   */
  keys(kid?: string): Promise<KeySet>;
  /** The JWKS without waiting: undefined unless fetched less than `maxAgeMs` ago. */
  currentKeys(): KeySet | undefined;
  /** Fetches discovery and the JWKS now, whatever is cached, and keeps what it got. */
  refresh(options?: { timeoutMs?: number }): Promise<DiscoveredDocument & { keys: KeySet }>;
  stats(): IssuerMetadataStats;
}

/** A canonical form of a JWKS's keys: members and keys sorted, so reordering is not a change. */
const canonical = (keys: readonly Record<string, unknown>[]) =>
  JSON.stringify(keys.map((key) => JSON.stringify(Object.entries(key).sort())).sort());

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A client for an issuer's metadata: discovery (OpenID Connect Discovery 1.0, then RFC 8414) and
 * the JWKS it names, each fetched once for every caller and cached for `maxAgeMs`. Transient
 * failures throw {@link IssuerUnavailableError}; unusable answers {@link IssuerMetadataError}.
 *
 * @example
 * const metadata = createIssuerMetadata({ issuer: 'http://localhost:4000/' });
 * const tokenEndpoint = await metadata.tokenEndpoint();
 * @see https://www.rfc-editor.org/rfc/rfc8414
 */
export function createIssuerMetadata(options: IssuerMetadataOptions): IssuerMetadata {
  const issuer = normalizeIssuer(options.issuer);
  const {
    maxAgeMs = 600_000,
    keysRefreshMs = 30_000,
    keysCooldownMs = 1_000,
    timeoutMs = 5_000,
    fetch = globalThis.fetch,
  } = options;
  const urls = discoveryUrls(issuer);
  const stats: IssuerMetadataStats = { documentRequests: 0, keysRequests: 0 };

  let discovered: { value: DiscoveredDocument; at: number } | undefined;
  let discovering: Promise<DiscoveredDocument> | undefined;
  let current: { set: KeySet; canonical: string; at: number } | undefined;
  let fetchingKeys: Promise<KeySet> | undefined;
  let keysFetchedAt = Number.NEGATIVE_INFINITY;

  async function getJson(url: string, what: string, timeout: number) {
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(timeout),
      });
    } catch (error) {
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      const message =
        (error as Error).name === 'TimeoutError'
          ? `${what} gave no answer within ${timeout} ms`
          : `${what} unreachable${typeof code === 'string' ? ` (${code})` : ''}`;
      throw new IssuerUnavailableError(message, { cause: error });
    }
    const { status } = res;
    if (status === 408 || status === 429 || status >= 500) {
      throw new IssuerUnavailableError(`${what} answered HTTP ${status}`, {
        status,
        retryAfter: res.headers.get('retry-after') ?? undefined,
      });
    }
    if (status !== 200) throw new IssuerMetadataError(`${what} answered HTTP ${status}`);
    const body: unknown = await res.json().catch(() => undefined);
    if (!isObject(body))
      throw new IssuerMetadataError(`${what} answered something not a JSON object`);
    return body;
  }

  async function loadDocument(timeout: number): Promise<DiscoveredDocument> {
    let failure: Error | undefined;
    for (const url of urls) {
      try {
        stats.documentRequests++;
        const value = { url, document: await getJson(url, 'discovery document', timeout) };
        discovered = { value, at: Date.now() };
        return value;
      } catch (error) {
        // A transient failure outweighs a 404 at the other location: retrying may help.
        if (!(failure instanceof IssuerUnavailableError)) failure = error as Error;
      }
    }
    throw failure!;
  }

  function document(): Promise<DiscoveredDocument> {
    if (discovered && Date.now() - discovered.at < maxAgeMs)
      return Promise.resolve(discovered.value);
    return (discovering ??= loadDocument(timeoutMs).finally(() => (discovering = undefined)));
  }

  async function loadKeys(timeout: number, found?: DiscoveredDocument): Promise<KeySet> {
    keysFetchedAt = Date.now();
    const { document: doc } = found ?? (await document());
    const uri = doc.jwks_uri;
    if (typeof uri !== 'string')
      throw new IssuerMetadataError('discovery document has no jwks_uri');
    let body: Record<string, unknown>;
    try {
      stats.keysRequests++;
      body = await getJson(uri, 'JWKS', timeout);
    } catch (error) {
      // Perhaps the issuer moved its JWKS: ask discovery again next time.
      discovered = undefined;
      throw error;
    }
    const keys = body.keys;
    if (!Array.isArray(keys) || !keys.every(isObject)) {
      throw new IssuerMetadataError('JWKS has no "keys" array of objects');
    }
    const form = canonical(keys);
    if (current?.canonical !== form || current.set.uri !== uri) {
      const kids = keys.map((key) => key.kid).filter((kid) => typeof kid === 'string');
      current = { set: { jwks: { keys }, kids: new Set(kids), uri }, canonical: form, at: 0 };
    }
    current.at = Date.now();
    return current.set;
  }

  function fetchKeys(): Promise<KeySet> {
    return (fetchingKeys ??= loadKeys(timeoutMs).finally(() => (fetchingKeys = undefined)));
  }

  async function keys(kid?: string): Promise<KeySet> {
    const fresh = current && Date.now() - current.at < maxAgeMs ? current.set : undefined;
    if (fresh && (kid === undefined || fresh.kids.has(kid))) return fresh;
    const lastFetch = keysFetchedAt;
    const wait = lastFetch + keysCooldownMs - Date.now();
    if (fresh && wait > 0) {
      // An unknown kid within the cooldown: the key may have been rotated in since; look again
      // once the cooldown is over, sharing that one fetch with every other request waiting.
      // Whether another has begun it is told by the fetch's own mark, not by the clock: Node
      // times timers from the event loop's cached time, so one can end before Date.now() says.
      await new Promise((resolve) => setTimeout(resolve, wait));
      if (keysFetchedAt !== lastFetch) return fetchingKeys ?? current!.set;
    }
    return fetchKeys();
  }

  function currentKeys(): KeySet | undefined {
    if (current === undefined) return undefined;
    const now = Date.now();
    if (now - keysFetchedAt >= keysRefreshMs && fetchingKeys === undefined) {
      // Confirm the keys in the background; a failure shows in readiness, and after maxAgeMs here.
      fetchKeys().catch(() => undefined);
    }
    return now - current.at < maxAgeMs ? current.set : undefined;
  }

  async function refresh(options: { timeoutMs?: number } = {}) {
    const timeout = options.timeoutMs ?? timeoutMs;
    const found = await loadDocument(timeout);
    return { ...found, keys: await loadKeys(timeout, found) };
  }

  async function tokenEndpoint(): Promise<string> {
    const { url, document: doc } = await document();
    const value = doc.token_endpoint;
    try {
      if (typeof value === 'string' && /^https?:$/.test(new URL(value).protocol)) return value;
    } catch {
      // not a URL: refused below
    }
    throw new IssuerMetadataError(
      `the discovery document at ${url} names no usable token_endpoint`,
    );
  }

  return {
    issuer,
    document,
    tokenEndpoint,
    keys,
    currentKeys,
    refresh,
    stats: () => ({ ...stats }),
  };
}
