import type { IncomingHttpHeaders } from 'node:http';
import type { Request } from 'express';

/** The library's checks of the request URL (resolveHost, normalizeUrl), repeated for hits. */
const HOST_RE =
  /^(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?$/;
const PROTOCOL_IN_PATH_RE = /^\/[a-z][a-z0-9+.-]*:\/\//i;
/** A path the URL parser would leave as it is, with any query string. */
const SIMPLE_PATH = /^\/(?!\/)[A-Za-z0-9_~\-/]*(?:\?[^#]*)?$/;
/** Host headers that passed the URL checks once (a service sees a handful: its names and ports). */
const acceptedHosts = new Set<string>();
const MAX_ACCEPTED_HOSTS = 64;

/**
 * The bearer token of a request the library would judge on the token alone, or undefined: only
 * such requests may be answered from the verification cache. Anything unusual (another scheme,
 * a token in the query or body as well, a forwarded or odd host, an odd path) goes through the
 * library every time, so a cache hit never skips a refusal the library would have given.
 */
export function cacheableToken(
  req: Request,
  headers: IncomingHttpHeaders,
  target: string,
  maxLength: number,
): string | undefined {
  const header = headers.authorization;
  // The library's rule: exactly two space-separated parts, `Bearer <token>`.
  if (typeof header !== 'string' || header.length > maxLength + 7) return undefined;
  if (header.indexOf(' ') !== 6 || header.indexOf(' ', 7) !== -1) return undefined;
  const scheme = header.slice(0, 6);
  if ((scheme !== 'Bearer' && scheme.toLowerCase() !== 'bearer') || header.length === 7) {
    return undefined;
  }
  const token = header.slice(7);
  // The library's `(.+)` stops at line terminators; four substring searches beat one regex here.
  if (
    token.includes('\n') ||
    token.includes('\r') ||
    token.includes('\u2028') ||
    token.includes('\u2029')
  ) {
    return undefined;
  }
  if (headers['x-forwarded-host'] !== undefined) return undefined;
  // A request without Content-Length or Transfer-Encoding has no body (RFC 9112 §6.3), so no
  // parser can have found a token in it; reading req.body costs more than looking first.
  if (
    (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) &&
    (req.body as { access_token?: unknown } | undefined)?.access_token !== undefined
  ) {
    return undefined;
  }
  if (
    target.includes('?') &&
    (req.query as { access_token?: unknown }).access_token !== undefined
  ) {
    return undefined;
  }
  const host = headers.host;
  if (typeof host !== 'string') return undefined;
  // The common case, without parsing a URL: a Host already seen to pass the library's checks and
  // a plain path (no dot segments, percent-encodings or doubled leading slash to normalise).
  if (SIMPLE_PATH.test(target) && acceptedHosts.has(host)) return token;
  if (!HOST_RE.test(host)) return undefined;
  try {
    const url = new URL(`${req.protocol}://${host}${target}`);
    if (!HOST_RE.test(url.host)) return undefined;
    if (url.pathname.startsWith('//') || PROTOCOL_IN_PATH_RE.test(url.pathname)) return undefined;
  } catch {
    return undefined;
  }
  if (acceptedHosts.size < MAX_ACCEPTED_HOSTS) acceptedHosts.add(host);
  return token;
}

/**
 * Credentials that a proxy and this server could read differently are refused outright
 * (RFC 6750 §3.1 `invalid_request`): several Authorization headers (Node keeps only the first),
 * and a token in the URL (RFC 6750 §2.3), which access logs, proxies and histories keep.
 */
export function ambiguousCredentials(
  req: Request,
  headers: IncomingHttpHeaders,
  target: string,
): string | undefined {
  const raw = req.rawHeaders;
  let authorizations = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') authorizations += 1;
  }
  if (authorizations > 1) return 'Send exactly one Authorization header.';
  // With a header as well, the library answers "More than one method used for authentication".
  if (
    headers.authorization === undefined &&
    target.includes('access_token') &&
    (req.query as { access_token?: unknown }).access_token !== undefined
  ) {
    return 'Send the access token in the Authorization header, not in the URL: URLs end up in logs (RFC 6750 section 2.3).';
  }
  return undefined;
}
