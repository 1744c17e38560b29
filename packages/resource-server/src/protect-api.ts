import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  auth,
  InvalidTokenError as LibraryInvalidTokenError,
  type AuthOptions,
} from 'express-oauth2-jwt-bearer';
// The one helper from its own entry point: `jose` whole is some 60 modules to load at start-up.
import { decodeProtectedHeader } from 'jose/decode/protected_header';
import { HttpError } from '@repo/http';
import {
  createIssuerMetadata,
  IssuerMetadataError,
  type IssuerMetadata,
  type KeySet,
} from '@repo/issuer-metadata';
import { addRequestLogFields, type Logger } from '@repo/logger';
import { Audit, scopesOf } from './audit.js';
import {
  ambiguousCredentials,
  carriesCredentials,
  carriesNothing,
  plainBearerToken,
} from './bearer-credentials.js';
import {
  dpopChallenge,
  InsufficientScopeError,
  InvalidDpopProofError,
  InvalidRequestError,
  InvalidTokenError,
  toBearerError,
  type Realm,
} from './bearer-errors.js';
import {
  DPOP_MODES,
  DPOP_PROOF_ALGS,
  DpopReplayStore,
  proofIdentity,
  schemeOf,
  type DpopMode,
  type DpopOptions,
} from './dpop.js';
import { SignatureCheck, SIGNATURE_FAILED } from './signature-check.js';
import { VerificationCache, type VerificationCacheOptions } from './verification-cache.js';

/** Options of {@link protectApi}; checked once, when the middleware is built. */
/** Seconds of clock drift allowed on `exp` and `nbf` unless `clockToleranceSec` says otherwise. */
export const DEFAULT_CLOCK_TOLERANCE_SEC = 5;

export interface ProtectApiOptions {
  /** The authorization server to trust; its discovery document names the issuer and the JWKS. */
  issuerBaseURL?: string;
  /**
   * The process's shared client for that server's metadata (also used by the token provider and
   * readiness); when given, the four options after `tokenSigningAlg` are its business.
   */
  issuerMetadata?: IssuerMetadata;
  /** This API's identifier: tokens must carry it in `aud`. Also the `realm` of challenges. */
  audience: string;
  /** Where the audit lines go (the request's child logger `req.log` is preferred when present). */
  logger: Logger;
  /**
   * The JWS algorithm tokens must be signed with (RFC 7518 §3.1). Default `RS256` (the local
   * auth-server, Auth0); Logto signs with `ES384` unless its keys are switched to RSA.
   */
  tokenSigningAlg?: TokenSigningAlg;
  /** Least time between two JWKS fetches asked for by an unknown `kid`. Default 1 000 (1 s). */
  jwksCooldownMs?: number;
  /** How long discovery and JWKS documents are relied on. Default 600 000 (10 minutes). */
  cacheMaxAgeMs?: number;
  /** Timeout of each request to the authorization server. Default 5 000 (5 s). */
  timeoutMs?: number;
  /** Leeway for `exp`/`nbf`, in seconds. Default 5. */
  clockToleranceSec?: number;
  /**
   * Remember successful verifications per exact token (see {@link VerificationCache}): on by
   * default with 10 000 entries; `false` verifies every request from scratch.
   */
  verificationCache?: VerificationCacheOptions | false;
  /**
   * DPoP sender-constrained tokens (RFC 9449): a mode (`allowed`, the default; `required`; `off`)
   * or {@link DpopOptions}. Every proof is verified (never cached) and its `jti` refused when
   * replayed within its window.
   */
  dpop?: DpopMode | DpopOptions;
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

/** The two middleware factories of a protected API. */
export interface ProtectedApi {
  /** Demands a valid bearer access token for the audience (RFC 6750 §2.1, RFC 9068). */
  authenticate: RequestHandler;
  /** Demands every listed scope in the token's `scope` claim; use after `authenticate`. */
  requireScopes(...scopes: string[]): RequestHandler;
  /** The verification cache, unless disabled (for its counters). */
  verificationCache: VerificationCache | undefined;
}

/** The refusal of a token bound to a key (`cnf`): this API accepts plain bearer tokens only. */
export const SENDER_CONSTRAINED =
  'Sender-constrained tokens (cnf claim) are not accepted by this API.';

/** The library's refusal of a DPoP-bound token (cnf.jkt) sent as `Authorization: Bearer`. */
export const DPOP_BOUND_AS_BEARER =
  'DPoP-bound token requires the DPoP authentication scheme, not Bearer.';

/** The refusal of a plain Bearer token by an API that accepts DPoP-bound tokens only. */
export const DPOP_REQUIRED =
  'This API accepts DPoP-bound tokens only: send "Authorization: DPoP <token>" with a DPoP proof.';

/** The refusal of a `DPoP` scheme request that carries no proof. */
export const DPOP_PROOF_MISSING =
  'The DPoP proof is missing: send it in the DPoP header with "Authorization: DPoP <token>".';

/** The refusal of a proof without any token. */
export const DPOP_TOKEN_MISSING =
  'A DPoP proof was sent without an access token: send "Authorization: DPoP <token>" as well.';

/** The refusal of a proof seen before within its window (RFC 9449 §11.1). */
export const DPOP_PROOF_REPLAYED = 'The DPoP proof was already used: send a fresh proof (new jti).';

/** Keys for requests that carry no token: the library refuses them before it needs any. */
const NO_KEYS: KeySet = { jwks: { keys: [] }, kids: new Set(), uri: '' };

const kidOf = (token: string | undefined) => {
  try {
    return token === undefined ? undefined : decodeProtectedHeader(token).kid;
  } catch {
    return undefined;
  }
};

/**
 * Protection for a resource server (RFC 6750 bearer tokens, JWT access tokens per RFC 9068):
 * express-oauth2-jwt-bearer verifies each token (signature, `alg`, this `audience`, the
 * discovered `iss`, `exp`/`nbf`) with the keys of the one issuer-metadata client, so a key
 * rotated on the authorization server is picked up without restart (an unknown `kid` refetches
 * the JWKS) and the verification cache is emptied exactly when those keys change.
 *
 * Every request that passes `authenticate` is audited when it finishes (`audit: true`, client id,
 * route, granted and required scopes, decision `allow`/`deny` with the reason) on its request log
 * line, or on a line of its own where requestLogger of @repo/logger is not used.
 *
 * @example
 * const { authenticate, requireScopes } = protectApi({ issuerBaseURL, audience, logger });
 * app.get('/api/directions', authenticate, requireScopes('directions'), handler);
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function protectApi(options: ProtectApiOptions): ProtectedApi {
  const { issuerBaseURL, audience, logger } = options;
  if (!issuerBaseURL && !options.issuerMetadata) {
    throw new TypeError('protectApi: issuerBaseURL is required');
  }
  if (!audience) throw new TypeError('protectApi: audience is required');
  const tokenSigningAlg = options.tokenSigningAlg ?? 'RS256';
  if (!TOKEN_SIGNING_ALGS.includes(tokenSigningAlg)) {
    throw new TypeError(
      `protectApi: tokenSigningAlg must be one of ${TOKEN_SIGNING_ALGS.join(', ')}`,
    );
  }
  const clockTolerance = options.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC;
  const dpop = typeof options.dpop === 'string' ? { mode: options.dpop } : (options.dpop ?? {});
  const dpopMode = dpop.mode ?? 'allowed';
  if (!DPOP_MODES.includes(dpopMode)) {
    throw new TypeError(`protectApi: dpop.mode must be one of ${DPOP_MODES.join(', ')}`);
  }
  const iatOffset = dpop.iatOffsetSec ?? 60;
  const iatLeeway = dpop.iatLeewaySec ?? clockTolerance;
  for (const [name, value] of [
    ['iatOffsetSec', iatOffset],
    ['iatLeewaySec', iatLeeway],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) {
      throw new TypeError(`protectApi: dpop.${name} must be a non-negative number of seconds`);
    }
  }
  const replays =
    dpopMode === 'off' ? undefined : new DpopReplayStore(dpop.replayMaxEntries ?? 100_000);
  /** The realm of a request's refusals: one Bearer challenge, or both schemes' (RFC 9449 §7.1). */
  const realmFor = (req: Request): Realm =>
    dpopMode === 'off'
      ? audience
      : (code, description, scope) =>
          dpopChallenge(
            {
              realm: audience,
              required: dpopMode === 'required',
              scheme: schemeOf(req),
              algs: DPOP_PROOF_ALGS,
            },
            code,
            description,
            scope,
          );
  const metadata =
    options.issuerMetadata ??
    createIssuerMetadata({
      issuer: issuerBaseURL!,
      keysCooldownMs: options.jwksCooldownMs ?? 1_000,
      maxAgeMs: options.cacheMaxAgeMs ?? 600_000,
      timeoutMs: options.timeoutMs ?? 5_000,
    });
  const cache =
    options.verificationCache === false
      ? undefined
      : new VerificationCache({
          ...options.verificationCache,
          clockToleranceSec: clockTolerance,
          logger,
        });

  const signatures = new SignatureCheck(tokenSigningAlg);

  // The library with a given issuer and JWKS: built again only when either changes.
  let verifier: { issuer: string; keys: KeySet; verify: RequestHandler } | undefined;
  const verifierFor = (issuer: string, keys: KeySet) => {
    if (verifier?.keys !== keys || verifier.issuer !== issuer) {
      const verify = auth({
        issuer,
        publicKey: keys.jwks as AuthOptions['publicKey'],
        // Empty, not absent: the library would read ISSUER_BASE_URL, JWKS_URI, SECRET from env.
        issuerBaseURL: '',
        jwksUri: '',
        secret: '',
        audience,
        tokenSigningAlg,
        clockTolerance,
        // Proofs are checked by the library (htm, htu from the request as `trust proxy` allows,
        // iat, ath, the key's thumbprint against cnf.jkt); jti replays here, after it.
        dpop: {
          enabled: dpopMode !== 'off',
          required: dpopMode === 'required',
          iatOffset,
          iatLeeway,
        },
      });
      verifier = { issuer, keys, verify };
    }
    return verifier;
  };

  // Where authenticate leaves a request's audit for requireScopes: a key of this instance's own,
  // so two protected APIs in one app never read each other's.
  const auditKey = Symbol('protectApi audit');
  type AuditedRequest = Request & { [auditKey]?: Audit };

  /** On the request's own log line when requestLogger runs (one line, not two), else a line. */
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

  const refuse = (req: Request, next: NextFunction, audit: Audit, error: unknown) => {
    const refused = toBearerError(error, realmFor(req));
    if (refused instanceof HttpError) audit.denied = `${refused.code}: ${refused.message}`;
    next(refused);
  };

  /** The library with the issuer's current keys (fetched again for an unknown `kid`). */
  const loadVerifier = async (kid?: string) => {
    const [{ document }, keys] = await Promise.all([metadata.document(), metadata.keys(kid)]);
    if (typeof document.issuer !== 'string') {
      throw new IssuerMetadataError('the discovery document names no issuer');
    }
    return verifierFor(document.issuer, keys);
  };

  /** The library's full verification, for whatever the cache could not answer. */
  const verifyFromScratch = (
    req: Request,
    res: Response,
    next: NextFunction,
    audit: Audit,
    target: string,
    token: string | undefined,
  ) => {
    let used = verifier?.keys === metadata.currentKeys() ? verifier : undefined;
    let retried = false;
    const run = async (kid?: string) => {
      try {
        used = await loadVerifier(kid);
      } catch (error) {
        refuse(req, next, audit, error);
        return;
      }
      void used.verify(req, res, done);
    };
    const done: NextFunction = (error?: unknown) => {
      if (error instanceof LibraryInvalidTokenError && !retried) {
        // A kid the keys lack may be a key rotated in since: look again, once.
        const kid = kidOf(token ?? req.headers.authorization?.replace(/^(?:bearer|dpop) /i, ''));
        if (kid !== undefined && !used!.keys.kids.has(kid)) {
          retried = true;
          void run(kid);
          return;
        }
      }
      // Refusals are never remembered: a cache of them would serve only a caller repeating one
      // exact token; any other byte makes a new one. (A forged signature under a published key
      // is refused before the library, by its RS256 check alone: authenticate.)
      if (error) {
        refuse(req, next, audit, error);
        return;
      }
      const viaDpop = dpopMode !== 'off' && schemeOf(req) === 'dpop';
      // A sender-constrained token (RFC 9449 §6, RFC 8705 §3: `cnf`) is only valid with proof
      // of its key: the library checked a DPoP one; any other binding is refused, never cached.
      if (req.auth?.payload.cnf !== undefined && !viaDpop) {
        req.auth = undefined;
        refuse(req, next, audit, new InvalidTokenError(realmFor(req), SENDER_CONSTRAINED));
        return;
      }
      if (viaDpop) {
        // The library does not remember proofs: a jti seen within its window is a replay.
        const proof = proofIdentity(String(req.headers.dpop));
        const jkt = (req.auth?.payload.cnf as { jkt?: unknown } | undefined)?.jkt;
        const ttlMs = proof ? (proof.iat + iatOffset + 1) * 1000 - Date.now() : 0;
        if (!proof || !replays!.firstUse(`${String(jkt)} ${proof.jti}`, ttlMs)) {
          req.auth = undefined;
          refuse(req, next, audit, new InvalidDpopProofError(realmFor(req), DPOP_PROOF_REPLAYED));
          return;
        }
      }
      audit.claims = req.auth?.payload;
      // Only plain bearer verifications are remembered: a proof is checked on every request.
      if (token && req.auth && !viaDpop) cache?.remember(token, req.auth, used!.keys);
      next();
    };
    // Without credentials (on a URL carriesNothing left to the library, e.g. behind a proxy), the
    // library refuses the request before it needs any key: the issuer is not asked.
    used ??= carriesCredentials(req, target)
      ? undefined
      : (verifier ?? verifierFor(metadata.issuer, NO_KEYS));
    if (used) void used.verify(req, res, done);
    else void run();
  };

  /** Requests whose DPoP shape is wrong before any token is read, in words of our own. */
  const refuseDpopShape = (req: Request) => {
    const scheme = schemeOf(req);
    const hasProof = req.headers.dpop !== undefined;
    if (hasProof && req.headers.authorization === undefined) {
      return new InvalidRequestError(realmFor(req), DPOP_TOKEN_MISSING);
    }
    if (scheme === 'dpop' && !hasProof) {
      return new InvalidDpopProofError(realmFor(req), DPOP_PROOF_MISSING);
    }
    if (dpopMode === 'required' && scheme === 'bearer') {
      return new InvalidTokenError(realmFor(req), DPOP_REQUIRED);
    }
    return undefined;
  };

  const authenticate: RequestHandler = (req, res, next) => {
    const target = req.originalUrl ?? req.url;
    const audit = new Audit(target);
    (req as AuditedRequest)[auditKey] = audit;
    auditWhenDone(req, res, audit);
    const ambiguity = ambiguousCredentials(req, target);
    if (ambiguity) {
      refuse(req, next, audit, new InvalidRequestError(realmFor(req), ambiguity));
      return;
    }
    const dpopRefusal =
      dpopMode === 'off'
        ? // Another scheme, as the library's Basic or Digest: a bare challenge, no token read.
          schemeOf(req) === 'dpop'
          ? new InvalidTokenError(audience)
          : undefined
        : refuseDpopShape(req);
    if (dpopRefusal) {
      refuse(req, next, audit, dpopRefusal);
      return;
    }
    // Nothing to verify: the bare challenge the library's refusal would become, without it.
    if (carriesNothing(req, target)) {
      refuse(req, next, audit, new InvalidTokenError(realmFor(req)));
      return;
    }
    // A DPoP-only API has no plain Bearer request for the cache to answer.
    const token =
      cache && dpopMode !== 'required'
        ? plainBearerToken(req, target, cache.maxTokenLength)
        : undefined;
    const cached = token ? cache?.lookup(token, metadata.currentKeys()) : undefined;
    if (cached) {
      req.auth = cached;
      audit.claims = cached.payload;
      next();
      return;
    }
    // A forged signature under a key the issuer published: the library's refusal, without it.
    if (token && signatures.refutes(token, metadata.currentKeys())) {
      refuse(req, next, audit, new InvalidTokenError(realmFor(req), SIGNATURE_FAILED));
      return;
    }
    void verifyFromScratch(req, res, next, audit, target, token);
  };

  const requireScopes = (...scopes: string[]): RequestHandler => {
    if (scopes.length === 0 || scopes.some((s) => typeof s !== 'string' || !/^\S+$/.test(s))) {
      throw new TypeError('requireScopes: give one or more scope names without spaces');
    }
    const required = Object.freeze([...scopes]);
    const scope = required.join(' ');
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
      // Without claims, requireScopes was mounted without authenticate before it.
      const granted = scopesOf(claims);
      if (claims === undefined || required.some((name) => !granted.includes(name))) {
        const error =
          claims === undefined
            ? new InvalidTokenError(realmFor(req))
            : new InsufficientScopeError(realmFor(req), required);
        if (audit) audit.denied = `${error.code}: ${error.message}`;
        next(error);
        return;
      }
      next();
    };
  };

  return { authenticate, requireScopes, verificationCache: cache };
}
