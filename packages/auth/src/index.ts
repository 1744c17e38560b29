// protectApi (server side) and the client credentials token provider (client side).
export { BearerError } from './bearer-error.js';
export {
  protectApi,
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
  issuerReadiness,
  type IssuerReadinessOptions,
  type Readiness,
  type ReadinessCheck,
} from './readiness.js';
export {
  attachTokenProvider,
  createApiClient,
  isInvalidTokenResponse,
  type ApiClientOptions,
} from './api-client.js';
export { discoveryUrls, tokenEndpointOf } from './discovery.js';
export { FakeClock, systemClock, type Clock } from './token-clock.js';
export {
  DEFAULT_VARIABLE_NAMES,
  TokenEndpointUnavailableError,
  TokenRequestError,
  type TokenVariableNames,
} from './token-errors.js';
export {
  createTokenProvider,
  renewalTime,
  type AccessToken,
  type TokenAudienceParam,
  type TokenAuthMethod,
  type TokenProvider,
  type TokenProviderOptions,
  type TokenProviderStats,
} from './token-provider.js';
