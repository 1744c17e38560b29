import type { Request } from 'express';

/** Hosts and paths no check of the library can object to (anything else goes to the library). */
const PLAIN_HOST = /^[A-Za-z0-9.-]+(?::(?:\d{1,4}|[1-5]\d{4}|6[0-4]\d{3}))?$/;
const PLAIN_TARGET = /^\/(?!\/)[\w\-./~%]*(?:\?[^#]*)?$/;

const queryToken = (req: Request, target: string) =>
  target.includes('access_token') &&
  (req.query as { access_token?: unknown }).access_token !== undefined;

/** Whether the request's host (as `trust proxy` may read it) and path pass the library's checks. */
const plainUrl = (req: Request, target: string) => {
  const { host } = req.headers;
  if (req.headers['x-forwarded-host'] !== undefined || host === undefined) return false;
  return PLAIN_HOST.test(host) && PLAIN_TARGET.test(target);
};

/**
 * The token of a request the verification cache may answer: the plain case only — exactly one
 * `Authorization: Bearer <token>` header and no DPoP proof, no token in the query or the body, an ordinary host
 * and path. Everything else goes to the library every time.
 */
export function plainBearerToken(req: Request, target: string, maxLength: number) {
  const { authorization } = req.headers;
  if (authorization === undefined || authorization.length > maxLength + 7) return undefined;
  if (!authorization.startsWith('Bearer ') || req.headers.dpop !== undefined) return undefined;
  if (queryToken(req, target) || !plainUrl(req, target)) return undefined;
  // A body needs Content-Length or Transfer-Encoding (RFC 9112 §6.3): look at req.body only then.
  const { 'content-length': length, 'transfer-encoding': encoding } = req.headers;
  const body = length !== undefined || encoding !== undefined ? req.body : undefined;
  if ((body as { access_token?: unknown } | undefined)?.access_token !== undefined)
    return undefined;
  return authorization.length > 7 ? authorization.slice(7) : undefined;
}

/**
 * Credentials a proxy and this server could read differently are refused outright (RFC 6750 §3.1
 * `invalid_request`): several Authorization headers (Node keeps only the first), and a token in
 * the URL (RFC 6750 §2.3), which access logs, proxies and histories keep.
 */
export function ambiguousCredentials(req: Request, target: string): string | undefined {
  const raw = req.rawHeaders;
  let authorizations = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') authorizations += 1;
  }
  if (authorizations > 1) return 'Send exactly one Authorization header.';
  // With a header as well, the library answers "More than one method used for authentication".
  if (req.headers.authorization === undefined && queryToken(req, target)) {
    return 'Send the access token in the Authorization header, not in the URL: URLs end up in logs (RFC 6750 section 2.3).';
  }
  return undefined;
}

/** Whether the request carries anything that could be a token, so checking it needs keys. */
export function carriesCredentials(req: Request, target: string): boolean {
  return (
    req.headers.authorization !== undefined ||
    queryToken(req, target) ||
    (req.body as { access_token?: unknown } | undefined)?.access_token !== undefined
  );
}

/**
 * Whether the request carries nothing to check — no token anywhere, no DPoP proof — on a URL (and
 * protocol) the library cannot object to: what the library would refuse with its bare challenge
 * before it needs any key, so protectApi answers it without the library.
 */
export function carriesNothing(req: Request, target: string): boolean {
  const { headers } = req;
  if (headers.authorization !== undefined || headers.dpop !== undefined) return false;
  if (headers['x-forwarded-proto'] !== undefined || !plainUrl(req, target)) return false;
  return !carriesCredentials(req, target);
}
