import { InvalidRequestError, InvalidTokenError } from 'express-oauth2-jwt-bearer';

/**
 * A refusal in RFC 6750 §3 terms. It has the shape errorHandler of @repo/http already maps
 * (`status`, `code`, `message`, `headers`), so no web-framework package is needed here.
 */
export class BearerError extends Error {
  override readonly name = 'BearerError';
  readonly expose = true;

  constructor(
    readonly status: 400 | 401 | 403 | 503,
    /** The RFC 6750 §3.1 error code (or `temporarily_unavailable`), also the body's `error`. */
    readonly code:
      'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'temporarily_unavailable',
    description: string,
    readonly headers: Record<string, string>,
  ) {
    super(description);
  }
}

/** express-oauth2-jwt-bearer's wording when discovery or the JWKS cannot be fetched. */
const UNAVAILABLE =
  /Failed to fetch authorization server metadata|Failed to fetch .* responded with 5\d\d|Expected 200 OK from the JSON Web Key Set|request timed out|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|socket hang up|fetch failed/;

const quoted = (value: string) => `"${value.replace(/["\\]/g, "'")}"`;

/** Builds the `WWW-Authenticate` challenge (RFC 6750 §3). Without `code`, no error attribute. */
export function challenge(
  realm: string,
  code?: string,
  description?: string,
  scope?: string,
): string {
  const parts = [`realm=${quoted(realm)}`];
  if (code) parts.push(`error=${quoted(code)}`);
  if (code && description) parts.push(`error_description=${quoted(description)}`);
  if (scope) parts.push(`scope=${quoted(scope)}`);
  return `Bearer ${parts.join(', ')}`;
}

/** No usable credentials (no header, or another scheme): a bare challenge (RFC 6750 §3.1). */
export function credentialsRequired(realm: string): BearerError {
  return new BearerError(
    401,
    'invalid_token',
    'An access token is required: send it as "Authorization: Bearer <token>".',
    { 'WWW-Authenticate': challenge(realm) },
  );
}

/**
 * Turns express-oauth2-jwt-bearer's errors into one consistent RFC 6750 refusal whose realm is
 * the audience. A request without usable credentials (no header, or another scheme) gets a bare
 * challenge, as RFC 6750 §3.1 asks; the JSON body still says `invalid_token` so clients see one
 * shape for every 401.
 */
export function toBearerError(error: unknown, realm: string): unknown {
  if (error instanceof InvalidTokenError && UNAVAILABLE.test(error.message)) {
    // The token may well be valid: we could not fetch what checks it. Say so, so callers retry
    // instead of throwing their token away.
    return new BearerError(
      503,
      'temporarily_unavailable',
      'The authorization server cannot be reached to verify the access token; retry later.',
      { 'Retry-After': '5' },
    );
  }
  if (error instanceof InvalidTokenError) {
    const description = error.message || 'The access token is invalid.';
    return new BearerError(401, 'invalid_token', description, {
      'WWW-Authenticate': challenge(realm, 'invalid_token', description),
    });
  }
  if (error instanceof InvalidRequestError && error.code) {
    return new BearerError(400, 'invalid_request', error.message, {
      'WWW-Authenticate': challenge(realm, 'invalid_request', error.message),
    });
  }
  if (
    error instanceof Error &&
    'status' in error &&
    (error.status === 401 || error.status === 400)
  ) {
    return credentialsRequired(realm);
  }
  return error;
}

/** A request given authenticate's refusal for ambiguous credentials (RFC 6750 §3.1). */
export function invalidRequest(realm: string, description: string): BearerError {
  return new BearerError(400, 'invalid_request', description, {
    'WWW-Authenticate': challenge(realm, 'invalid_request', description),
  });
}
