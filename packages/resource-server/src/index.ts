// The resource-server side: protection of an API with bearer and DPoP access tokens (RFC 6750, RFC 9068, RFC 9449).
export {
  dpopChallenge,
  InsufficientScopeError,
  InvalidDpopProofError,
  InvalidRequestError,
  InvalidTokenError,
  TemporarilyUnavailableError,
} from './bearer-errors.js';
export {
  DEFAULT_CLOCK_TOLERANCE_SEC,
  DPOP_BOUND_AS_BEARER,
  DPOP_PROOF_MISSING,
  DPOP_PROOF_REPLAYED,
  DPOP_REQUIRED,
  DPOP_TOKEN_MISSING,
  protectApi,
  SENDER_CONSTRAINED,
  TOKEN_SIGNING_ALGS,
  type ProtectApiOptions,
  type ProtectedApi,
  type TokenSigningAlg,
} from './protect-api.js';
export {
  VerificationCache,
  type VerificationCacheOptions,
  type VerificationCacheStats,
} from './verification-cache.js';
export {
  DPOP_MODES,
  DPOP_PROOF_ALGS,
  DpopReplayStore,
  type DpopMode,
  type DpopOptions,
} from './dpop.js';
export { clientRateLimit, type ClientRateLimitOptions } from './rate-limit.js';
