// The client side: client credentials tokens (RFC 6749 §4.4), optionally DPoP-bound (RFC 9449),
// and an axios client that sends them.
export { attachTokenProvider, createApiClient, type ApiClientOptions } from './api-client.js';
export {
  accessTokenHash,
  createDpopKey,
  DPOP_ALG,
  proofTarget,
  useDpopNonce,
  type DpopKey,
  type DpopKeyOptions,
  type DpopProofRequest,
} from './dpop.js';
export { backoffDelay, parseRetryAfter, type BackoffOptions } from './backoff.js';
export {
  TokenEndpointUnavailableError,
  TokenRequestError,
  type TokenVariableNames,
} from './token-errors.js';
export {
  createTokenProvider,
  renewalTime,
  type AccessToken,
  type CachedTokenState,
  type TokenAudienceParam,
  type TokenAuthMethod,
  type TokenProvider,
  type TokenProviderOptions,
  type TokenProviderStats,
} from './token-provider.js';
