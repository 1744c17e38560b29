// The client side: client credentials tokens (RFC 6749 §4.4) authenticated by a secret or a signed
// assertion (RFC 7523), optionally DPoP-bound (RFC 9449),
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
export {
  CLIENT_ASSERTION_ALGS,
  CLIENT_ASSERTION_LIFETIME_SECONDS,
  CLIENT_ASSERTION_TYPE,
  ClientKeyError,
  DEFAULT_CLIENT_ASSERTION_ALG,
  generateClientKey,
  loadClientKey,
  publicPart,
  signClientAssertion,
  type ClientAssertionAlg,
  type ClientKey,
} from './client-assertion.js';
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
