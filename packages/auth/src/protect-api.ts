import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { auth, InvalidTokenError } from 'express-oauth2-jwt-bearer';
import { addRequestLogFields, type Logger } from '@repo/logger';
import { Audit, scopesOf } from './audit.js';
import {
  BearerError,
  challenge,
  credentialsRequired,
  invalidRequest,
  toBearerError,
} from './bearer-error.js';
import { ambiguousCredentials, cacheableToken } from './request-credentials.js';
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

  // Where authenticate leaves a request's audit for requireScopes: a key of this instance's own,
  // so two protected APIs in one app never read each other's.
  const auditKey = Symbol('protectApi audit');
  type AuditedRequest = Request & { [auditKey]?: Audit };

  /**
   * The audit rides on the request's own log line when requestLogger of @repo/logger handles the
   * request (one line per call, not two: logging is most of what a cached verification costs);
   * otherwise it is a line of its own when the response is done.
   */
  const auditWhenDone = (req: Request, res: Response, audit: Audit) => {
    if (addRequestLogFields(req, (line) => audit.fields(line))) return;
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info('audit', {
        ...audit.fields({ method: req.method, status: res.statusCode }),
        status: res.statusCode,
        durationMs: Math.round(durationMs * 100) / 100,
      });
    });
  };

  /**
   * The library's full verification, for whatever the cache could not answer; a success is
   * remembered for `token`. Kept out of authenticate so that a cache hit allocates no closure.
   */
  const verifyFromScratch = (
    req: Request,
    res: Response,
    next: NextFunction,
    audit: Audit,
    token: string | undefined,
  ) => {
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
        if (refused instanceof BearerError) audit.denied = `${refused.code}: ${refused.message}`;
        next(refused);
        return;
      }
      audit.claims = req.auth?.payload;
      if (token && req.auth) cache?.remember(token, req.auth, generation);
      next();
    };
    void verify(req, res, done);
  };

  const authenticate: RequestHandler = (req, res, next) => {
    const headers = req.headers;
    const target = req.originalUrl ?? req.url;
    const audit = new Audit(target);
    (req as AuditedRequest)[auditKey] = audit;
    auditWhenDone(req, res, audit);
    const ambiguity = ambiguousCredentials(req, headers, target);
    if (ambiguity) {
      audit.denied = `invalid_request: ${ambiguity}`;
      next(invalidRequest(audience, ambiguity));
      return;
    }
    const token = cache && cacheableToken(req, headers, target, cache.maxTokenLength);
    const cached = token ? cache?.lookup(token) : undefined;
    if (cached) {
      req.auth = cached;
      audit.claims = cached.payload;
      next();
      return;
    }
    verifyFromScratch(req, res, next, audit, token);
  };

  const requireScopes = (...scopes: string[]): RequestHandler => {
    if (scopes.length === 0 || scopes.some((s) => typeof s !== 'string' || !/^\S+$/.test(s))) {
      throw new TypeError('requireScopes: give one or more scope names without spaces');
    }
    const required = Object.freeze([...scopes]);
    const scope = required.join(' ');
    const description = `The access token lacks the required scope: ${scope}.`;
    const refusal = () =>
      new BearerError(403, 'insufficient_scope', description, {
        'WWW-Authenticate': challenge(audience, 'insufficient_scope', description, scope),
      });
    return (req, _res, next) => {
      const audit = (req as AuditedRequest)[auditKey];
      // authenticate's verdict; req.auth only when it did not run here (another verifier).
      const claims = audit ? audit.claims : req.auth?.payload;
      if (audit) {
        const route = req.route as { path?: unknown } | undefined;
        audit.baseUrl = req.baseUrl;
        audit.routePath = typeof route?.path === 'string' ? route.path : req.path;
        audit.required = scope;
      }
      if (claims === undefined) {
        // requireScopes mounted without authenticate before it: nothing was verified.
        next(credentialsRequired(audience));
        return;
      }
      const granted = scopesOf(claims);
      for (const name of required) {
        if (!granted.includes(name)) {
          if (audit) audit.denied = `insufficient_scope: ${description}`;
          next(refusal());
          return;
        }
      }
      next();
    };
  };

  return { authenticate, requireScopes, verificationCache: cache };
}
