// The resource-server side: protection of an API with bearer access tokens (RFC 6750, RFC 9068).
export {
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  TemporarilyUnavailableError,
} from './bearer-errors.js';
export {
  DEFAULT_CLOCK_TOLERANCE_SEC,
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
export { clientRateLimit, type ClientRateLimitOptions } from './rate-limit.js';
