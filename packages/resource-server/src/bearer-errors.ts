import * as library from 'express-oauth2-jwt-bearer';
import { HttpError } from '@repo/http';
import { IssuerMetadataError, IssuerUnavailableError } from '@repo/issuer-metadata';

const quoted = (value: string) => `"${value.replace(/["\\]/g, "'")}"`;

/**
 * The `WWW-Authenticate` challenge of a refusal (RFC 6750 §3); without `code`, a bare one.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
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

/**
 * Builds a refusal's `WWW-Authenticate` value: {@link challenge} with the API's realm, or, where
 * DPoP is accepted, the challenges of both schemes (see `dpopChallenge`).
 */
export type Challenger = (code?: string, description?: string, scope?: string) => string;

/** A realm (one Bearer challenge) or a {@link Challenger}: what the error classes accept. */
export type Realm = string | Challenger;

const challengeOf = (realm: Realm, code?: string, description?: string, scope?: string) =>
  typeof realm === 'string'
    ? challenge(realm, code, description, scope)
    : realm(code, description, scope);

/**
 * The challenges of an API that accepts DPoP (RFC 9449 §7.1): with `required`, the `DPoP` one
 * alone; otherwise `Bearer` and `DPoP` side by side, the error on the scheme the client used
 * (`scheme`, lower case; on Bearer when it used neither). Both name the realm; `DPoP` names the
 * proof algorithms.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
 */
export function dpopChallenge(
  options: {
    realm: string;
    required: boolean;
    scheme: string | undefined;
    algs: readonly string[];
  },
  code?: string,
  description?: string,
  scope?: string,
): string {
  const { realm, required, scheme, algs } = options;
  const onDpop = required || scheme === 'dpop';
  const dpop = challengeOf(
    realm,
    onDpop ? code : undefined,
    description,
    onDpop ? scope : undefined,
  )
    .replace(/^Bearer /, 'DPoP ')
    .concat(`, algs=${quoted(algs.join(' '))}`);
  if (required) return dpop;
  const bearer = challenge(
    realm,
    onDpop ? undefined : code,
    description,
    onDpop ? undefined : scope,
  );
  return `${bearer}, ${dpop}`;
}

const CREDENTIALS_REQUIRED =
  'An access token is required: send it as "Authorization: Bearer <token>".';

/**
 * 400 `invalid_request`: the request is malformed, e.g. it carries its token twice.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export class InvalidRequestError extends HttpError {
  override name = 'InvalidRequestError';

  constructor(realm: Realm, description: string) {
    super(400, 'invalid_request', description, {
      headers: { 'WWW-Authenticate': challengeOf(realm, 'invalid_request', description) },
    });
  }
}

/**
 * 401 `invalid_token`: the token is expired, forged, for another audience…. Without a
 * description the request had no usable credentials at all, and the challenge is bare, as
 * RFC 6750 §3.1 asks; the body still says `invalid_token`, so every 401 has one shape.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export class InvalidTokenError extends HttpError {
  override name = 'InvalidTokenError';

  constructor(realm: Realm, description?: string) {
    super(401, 'invalid_token', description ?? CREDENTIALS_REQUIRED, {
      headers: {
        'WWW-Authenticate':
          description === undefined
            ? challengeOf(realm)
            : challengeOf(realm, 'invalid_token', description),
      },
    });
  }
}

/**
 * 403 `insufficient_scope`, naming the scopes the route requires.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export class InsufficientScopeError extends HttpError {
  override name = 'InsufficientScopeError';

  constructor(realm: Realm, scopes: readonly string[]) {
    const scope = scopes.join(' ');
    const description = `The access token lacks the required scope: ${scope}.`;
    super(403, 'insufficient_scope', description, {
      headers: { 'WWW-Authenticate': challengeOf(realm, 'insufficient_scope', description, scope) },
    });
  }
}

/**
 * 401 `invalid_dpop_proof`: the DPoP proof of a request is missing, malformed, for another
 * method or URL, too old, replayed, or does not hash the token it came with. 401, as every
 * refusal of a resource server that carries a challenge (the token endpoint answers 400).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
 */
export class InvalidDpopProofError extends HttpError {
  override name = 'InvalidDpopProofError';

  constructor(realm: Realm, description: string) {
    super(401, 'invalid_dpop_proof', description, {
      headers: { 'WWW-Authenticate': challengeOf(realm, 'invalid_dpop_proof', description) },
    });
  }
}

/**
 * 503 `temporarily_unavailable`: the token may be valid, but the keys that check it cannot be
 * fetched; `Retry-After` tells callers to retry instead of throwing their token away.
 */
export class TemporarilyUnavailableError extends HttpError {
  override name = 'TemporarilyUnavailableError';

  constructor(cause?: unknown) {
    super(
      503,
      'temporarily_unavailable',
      'The authorization server cannot be reached to verify the access token; retry later.',
      { headers: { 'Retry-After': '5' }, expose: true, cause },
    );
  }
}

/**
 * A refusal of express-oauth2-jwt-bearer, or a failure of the issuer's metadata, as one of the
 * errors above, chosen by error class and code; anything else is returned as it is.
 */
export function toBearerError(error: unknown, realm: Realm): unknown {
  if (error instanceof HttpError) return error;
  if (error instanceof IssuerUnavailableError || error instanceof IssuerMetadataError) {
    return new TemporarilyUnavailableError(error);
  }
  if (
    error instanceof library.UnauthorizedError &&
    (error as { code?: unknown }).code === 'invalid_dpop_proof'
  ) {
    return new InvalidDpopProofError(realm, error.message || 'The DPoP proof is invalid.');
  }
  if (error instanceof library.InvalidTokenError) {
    return new InvalidTokenError(realm, error.message || 'The access token is invalid.');
  }
  if (error instanceof library.InvalidRequestError && error.code === 'invalid_request') {
    return new InvalidRequestError(realm, error.message);
  }
  // No token, or another scheme: the library's UnauthorizedError, or its code-less request error.
  if (error instanceof library.UnauthorizedError) return new InvalidTokenError(realm);
  return error;
}
