import { ASSERTION_SIGNING_ALGS } from './client-keys.js';
import type { ResolvedRegistry } from './registry-check.js';

/** The discovery document's two names: OpenID Connect's and RFC 8414's. */
export const DISCOVERY_PATHS = [
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
] as const;

/** The client authentication methods the token endpoint accepts (oidc-provider's `clientAuthMethods`). */
export const TOKEN_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
] as const;

/** The DPoP proof algorithms the token endpoint accepts: asymmetric only (RFC 9449 §5.1). */
export const DPOP_SIGNING_ALGS = ['ES256', 'ES384', 'PS256', 'EdDSA'] as const;

/**
 * The discovery document (RFC 8414 §2), built once from the configured issuer: never from the
 * request's Host, so no caller can make it name another server, and naming only what is served
 * (the client credentials grant at the token endpoint, the JWKS). No authorization endpoint, no
 * PKCE, no response types; DPoP proofs (RFC 9449 §5.1) with the algorithms listed.
 */
export function discoveryDocument(issuer: string, registry: ResolvedRegistry) {
  const scopes = new Set<string>();
  for (const api of registry.apis.values())
    for (const scope of Object.keys(api.scopes)) scopes.add(scope);
  return {
    issuer,
    token_endpoint: `${issuer}token`,
    jwks_uri: `${issuer}jwks`,
    scopes_supported: [...scopes],
    grant_types_supported: ['client_credentials'],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: [...TOKEN_AUTH_METHODS],
    // Asymmetric only: never HS* (a shared secret) or none (RFC 8414 §2).
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_SIGNING_ALGS],
    claims_supported: [],
    dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGS],
  };
}
