import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  auth,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  requiredScopes,
  type JWTPayload,
} from 'express-oauth2-jwt-bearer';
import { addRequestLogFields, type Logger } from '@repo/logger';
import { VerificationCache, type VerificationCacheOptions } from './verification-cache.js';

/** Options of {@link protectApi}; checked once, when the middleware is built. */
export interface ProtectApiOptions {
  /** The authorization server to trust; its discovery document names the issuer and the JWKS. */
  issuerBaseURL: string;
  /** This API's identifier: tokens must carry it in `aud`. Also the `realm` of challenges. */
  audience: string;
  /** Where the audit lines go (the request's child logger `req.log` is preferred when present). */
  logger: Logger;
  /**
   * Minimum time between two JWKS refetches triggered by an unknown `kid` (a rotated key).
   * Default 1 s: forged `kid`s cannot turn the API into a JWKS-fetching amplifier (one fetch a
   * second at most), and a token signed with a key rotated in during the cooldown waits for its
   * end and is verified once more instead of being refused.
   */
  jwksCooldownMs?: number;
  /**
   * The JWS algorithm tokens must be signed with (RFC 7518 §3.1). Default `RS256` (the local
   * auth-server, Auth0); Logto signs with `ES384` unless its keys are switched to RSA.
   */
  tokenSigningAlg?: TokenSigningAlg;
  /** How long discovery and JWKS documents are cached. Default 10 minutes. */
  cacheMaxAgeMs?: number;
  /** Timeout of each request to the authorization server. Default 5 s. */
  timeoutMs?: number;
  /** Leeway for `exp`/`nbf`, in seconds. Default 5. */
  clockToleranceSec?: number;
  /**
   * Remember successful verifications per exact token (see {@link VerificationCache}): on by
   * default with 10 000 entries; `false` verifies every request from scratch.
   */
  verificationCache?: VerificationCacheOptions | false;
}

/** Asymmetric algorithms a resource server may accept; never `none` or an HMAC. */
export const TOKEN_SIGNING_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type TokenSigningAlg = (typeof TOKEN_SIGNING_ALGS)[number];

/** express-oauth2-jwt-bearer's wording when no JWKS key has the token's `kid`. */
const NO_MATCHING_KEY = 'no applicable key found in the JSON Web Key Set';

/** The two middleware factories of a protected API. */
export interface ProtectedApi {
  /** Demands a valid bearer access token for the audience (RFC 6750 §2.1, RFC 9068). */
  authenticate: RequestHandler;
  /** Demands every listed scope in the token's `scope` claim; use after `authenticate`. */
  requireScopes(...scopes: string[]): RequestHandler;
  /** The verification cache, unless disabled (for its counters, and `stop()` on shutdown). */
  verificationCache: VerificationCache | undefined;
}

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

/** Per-request audit facts, filled as the request passes the middleware. */
interface AuditState {
  claims?: JWTPayload;
  route?: string;
  required?: string[];
  denied?: string;
}

/** express-oauth2-jwt-bearer's wording when discovery or the JWKS cannot be fetched. */
const UNAVAILABLE =
  /Failed to fetch authorization server metadata|Failed to fetch .* responded with 5\d\d|Expected 200 OK from the JSON Web Key Set|request timed out|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|socket hang up|fetch failed/;

const quoted = (value: string) => `"${value.replace(/["\\]/g, "'")}"`;

/** Builds the `WWW-Authenticate` challenge (RFC 6750 §3). Without `code`, no error attribute. */
function challenge(realm: string, code?: string, description?: string, scope?: string): string {
  const parts = [`realm=${quoted(realm)}`];
  if (code) parts.push(`error=${quoted(code)}`);
  if (code && description) parts.push(`error_description=${quoted(description)}`);
  if (scope) parts.push(`scope=${quoted(scope)}`);
  return `Bearer ${parts.join(', ')}`;
}

/**
 * Turns express-oauth2-jwt-bearer's errors into one consistent RFC 6750 refusal whose realm is
 * the audience. A request without usable credentials (no header, or another scheme) gets a bare
 * challenge, as RFC 6750 §3.1 asks; the JSON body still says `invalid_token` so clients see one
 * shape for every 401.
 */
function toBearerError(error: unknown, realm: string, scopes?: string[]): unknown {
  if (error instanceof InsufficientScopeError) {
    const scope = scopes?.join(' ') ?? '';
    const description = `The access token lacks the required scope: ${scope}.`;
    return new BearerError(403, 'insufficient_scope', description, {
      'WWW-Authenticate': challenge(realm, 'insufficient_scope', description, scope),
    });
  }
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
    return new BearerError(
      401,
      'invalid_token',
      'An access token is required: send it as "Authorization: Bearer <token>".',
      { 'WWW-Authenticate': challenge(realm) },
    );
  }
  return error;
}

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
function cacheableToken(req: Request, maxLength: number): string | undefined {
  const header = req.headers.authorization;
  // The library's rule: exactly two space-separated parts, `Bearer <token>`.
  if (typeof header !== 'string' || header.length > maxLength + 7) return undefined;
  if (header.indexOf(' ') !== 6 || header.indexOf(' ', 7) !== -1) return undefined;
  if (header.slice(0, 6).toLowerCase() !== 'bearer' || header.length === 7) return undefined;
  const token = header.slice(7);
  if (/[\r\n\u2028\u2029]/.test(token)) return undefined;
  if (req.headers['x-forwarded-host'] !== undefined) return undefined;
  if ((req.body as { access_token?: unknown } | undefined)?.access_token !== undefined) {
    return undefined;
  }
  if (
    req.url.includes('?') &&
    (req.query as { access_token?: unknown }).access_token !== undefined
  ) {
    return undefined;
  }
  const host = req.headers.host;
  if (typeof host !== 'string') return undefined;
  const target = req.originalUrl ?? req.url;
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
function ambiguousCredentials(req: Request): string | undefined {
  let authorizations = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === 'authorization') authorizations += 1;
  }
  if (authorizations > 1) return 'Send exactly one Authorization header.';
  // With a header as well, the library answers "More than one method used for authentication".
  if (
    req.headers.authorization === undefined &&
    req.url.includes('access_token') &&
    (req.query as { access_token?: unknown }).access_token !== undefined
  ) {
    return 'Send the access token in the Authorization header, not in the URL: URLs end up in logs (RFC 6750 section 2.3).';
  }
  return undefined;
}

function clientIdOf(claims: JWTPayload | undefined): string | undefined {
  const id = claims?.client_id ?? claims?.azp ?? claims?.sub;
  return typeof id === 'string' ? id : undefined;
}

function scopesOf(claims: JWTPayload | undefined): string[] {
  const scope = claims?.scope;
  return typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [];
}

/**
 * Protection for a resource server (RFC 6750 bearer tokens, JWT access tokens per RFC 9068),
 * built on express-oauth2-jwt-bearer: the issuer's discovery document gives the JWKS, tokens must
 * be RS256, carry this `audience` and the discovered `iss`. A signing key rotated on the
 * authorization server is picked up without restart (an unknown `kid` refetches the JWKS).
 *
 * Every request that passes `authenticate` is audited when it finishes (`audit: true`, client id,
 * route, granted and required scopes, decision `allow`/`deny` with the reason) on its request log
 * line, or on a line of its own where requestLogger of @repo/logger is not used.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function protectApi(options: ProtectApiOptions): ProtectedApi {
  const { issuerBaseURL, audience, logger } = options;
  if (!issuerBaseURL) throw new TypeError('protectApi: issuerBaseURL is required');
  if (!audience) throw new TypeError('protectApi: audience is required');

  const cooldownDuration = options.jwksCooldownMs ?? 1_000;
  const tokenSigningAlg = options.tokenSigningAlg ?? 'RS256';
  if (!TOKEN_SIGNING_ALGS.includes(tokenSigningAlg)) {
    throw new TypeError(
      `protectApi: tokenSigningAlg must be one of ${TOKEN_SIGNING_ALGS.join(', ')}`,
    );
  }
  const cacheMaxAge = options.cacheMaxAgeMs ?? 600_000;
  const timeoutDuration = options.timeoutMs ?? 5_000;
  const clockTolerance = options.clockToleranceSec ?? 5;
  const verify = auth({
    issuerBaseURL,
    audience,
    tokenSigningAlg,
    // Plain bearer tokens only: keeps the challenge to the single RFC 6750 form.
    dpop: { enabled: false },
    cooldownDuration,
    cacheMaxAge,
    timeoutDuration,
    clockTolerance,
  });
  const cache =
    options.verificationCache === false
      ? undefined
      : new VerificationCache({
          ...options.verificationCache,
          issuerBaseURL,
          logger,
          clockToleranceSec: clockTolerance,
          jwksCooldownMs: cooldownDuration,
          jwksMaxAgeMs: cacheMaxAge,
          timeoutMs: timeoutDuration,
        });

  const audits = new WeakMap<Request, AuditState>();

  const auditFields = (req: Request, res: Response, state: AuditState) => {
    const decision = state.denied || res.statusCode === 401 || res.statusCode === 403;
    return {
      audit: true,
      clientId: clientIdOf(state.claims),
      route: `${req.method} ${state.route ?? (req.originalUrl ?? req.url).split('?')[0]}`,
      scopes: scopesOf(state.claims),
      requiredScopes: state.required,
      decision: decision ? 'deny' : 'allow',
      reason: state.denied,
    };
  };

  /**
   * The audit rides on the request's own log line when requestLogger of @repo/logger handles the
   * request (one line per call, not two: logging is most of what a cached verification costs);
   * otherwise it is a line of its own when the response is done.
   */
  const auditWhenDone = (req: Request, res: Response, state: AuditState) => {
    if (addRequestLogFields(req, () => auditFields(req, res, state))) return;
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info('audit', {
        ...auditFields(req, res, state),
        status: res.statusCode,
        durationMs: Math.round(durationMs * 100) / 100,
      });
    });
  };

  const authenticate: RequestHandler = (req, res, next) => {
    const state: AuditState = {};
    audits.set(req, state);
    auditWhenDone(req, res, state);
    const ambiguity = ambiguousCredentials(req);
    if (ambiguity) {
      state.denied = `invalid_request: ${ambiguity}`;
      next(
        new BearerError(400, 'invalid_request', ambiguity, {
          'WWW-Authenticate': challenge(audience, 'invalid_request', ambiguity),
        }),
      );
      return;
    }
    const token = cache && cacheableToken(req, cache.maxTokenLength);
    const cached = token ? cache?.lookup(token) : undefined;
    if (cached) {
      req.auth = cached;
      state.claims = cached.payload;
      next();
      return;
    }
    const generation = cache?.generation ?? 0;
    let retried = false;
    const done: NextFunction = (error?: unknown) => {
      if (!retried && error instanceof InvalidTokenError && error.message === NO_MATCHING_KEY) {
        // An unknown `kid` during the JWKS cooldown: the key may have been rotated in since the
        // last fetch. Wait for the cooldown to end and verify once more (that refetches the JWKS).
        retried = true;
        setTimeout(() => void verify(req, res, done), cooldownDuration + 25);
        return;
      }
      if (error) {
        const refused = toBearerError(error, audience);
        if (refused instanceof BearerError) state.denied = `${refused.code}: ${refused.message}`;
        next(refused);
        return;
      }
      state.claims = req.auth?.payload;
      if (token && req.auth) cache?.remember(token, req.auth, generation);
      next();
    };
    void verify(req, res, done);
  };

  const requireScopes = (...scopes: string[]): RequestHandler => {
    if (scopes.length === 0 || scopes.some((s) => typeof s !== 'string' || !/^\S+$/.test(s))) {
      throw new TypeError('requireScopes: give one or more scope names without spaces');
    }
    const check = requiredScopes(scopes);
    return (req, res, next) => {
      const state = audits.get(req);
      if (state) {
        state.route = `${req.baseUrl}${typeof req.route?.path === 'string' ? req.route.path : req.path}`;
        state.required = scopes;
      }
      check(req, res, (error?: unknown) => {
        if (error) {
          const refused = toBearerError(error, audience, scopes);
          if (state && refused instanceof BearerError) {
            state.denied = `${refused.code}: ${refused.message}`;
          }
          next(refused);
          return;
        }
        next();
      });
    };
  };

  return { authenticate, requireScopes, verificationCache: cache };
}
