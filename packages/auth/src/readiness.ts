import { discoveryUrls } from './discovery.js';

/** One check of {@link issuerReadiness}. */
export interface ReadinessCheck {
  ok: boolean;
  /** What was fetched. */
  url?: string;
  /** Why it failed, in words an operator can act on. */
  reason?: string;
  /** For the JWKS: how many keys it holds. */
  keys?: number;
}

/** The answer of a readiness probe: ready only when every check is ok. */
export interface Readiness {
  ready: boolean;
  checks: { discovery: ReadinessCheck; jwks: ReadinessCheck };
}

export interface IssuerReadinessOptions {
  /** Timeout of each fetch. Default 2 s, well under a typical probe timeout. */
  timeoutMs?: number;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

async function fetchJson(url: string, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const name = (error as { name?: string }).name;
    throw new Error(
      name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : `unreachable${cause ? ` (${cause})` : ''}`,
    );
  }
  if (!res.ok) throw new Error(`answered HTTP ${res.status}`);
  try {
    return await res.json();
  } catch {
    throw new Error('answered something that is not JSON');
  }
}

/**
 * A readiness probe for a resource server: the authorization server's discovery document
 * (OpenID Connect Discovery 1.0, or RFC 8414 as a fallback) is reachable, names the expected
 * issuer, and its JWKS (RFC 7517) holds at least one key. Without these no token can be verified,
 * so `GET /readyz` should answer 503 with the reason.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
export function issuerReadiness(
  issuerBaseURL: string,
  options: IssuerReadinessOptions = {},
): () => Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const base = trimSlash(issuerBaseURL);
  const candidates = discoveryUrls(issuerBaseURL);

  return async () => {
    const failed = (reason: string): ReadinessCheck => ({ ok: false, reason });
    let metadata: Record<string, unknown> | undefined;
    let discovery: ReadinessCheck = failed('not checked');
    for (const url of candidates) {
      try {
        const body = await fetchJson(url, timeoutMs);
        if (typeof body !== 'object' || body === null) throw new Error('answered a non-object');
        metadata = body as Record<string, unknown>;
        discovery = { ok: true, url };
        break;
      } catch (error) {
        discovery = { ok: false, url, reason: `discovery document ${(error as Error).message}` };
      }
    }
    if (!metadata) {
      return { ready: false, checks: { discovery, jwks: failed('discovery failed first') } };
    }
    const issuer = metadata.issuer;
    if (typeof issuer !== 'string' || trimSlash(issuer) !== base) {
      discovery = {
        ok: false,
        url: discovery.url,
        reason: `discovery names issuer ${JSON.stringify(issuer)}, expected ${JSON.stringify(issuerBaseURL)}`,
      };
    }
    const jwksUri = metadata.jwks_uri;
    if (typeof jwksUri !== 'string') {
      return {
        ready: false,
        checks: { discovery, jwks: failed('discovery document has no jwks_uri') },
      };
    }
    let jwks: ReadinessCheck;
    try {
      const body = (await fetchJson(jwksUri, timeoutMs)) as { keys?: unknown };
      const keys = Array.isArray(body?.keys) ? body.keys.length : 0;
      jwks =
        keys > 0
          ? { ok: true, url: jwksUri, keys }
          : { ...failed('JWKS has no keys'), url: jwksUri };
    } catch (error) {
      jwks = { ok: false, url: jwksUri, reason: `JWKS ${(error as Error).message}` };
    }
    return { ready: discovery.ok && jwks.ok, checks: { discovery, jwks } };
  };
}
