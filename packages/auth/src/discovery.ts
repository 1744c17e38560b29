/**
 * Where an issuer publishes its metadata: OpenID Connect Discovery first (Auth0, Logto, Keycloak,
 * oidc-provider), then the OAuth 2.0 Authorization Server Metadata location (RFC 8414 §3,
 * https://www.rfc-editor.org/rfc/rfc8414#section-3) for servers that are not OpenID providers.
 * Both append to the issuer's path, so `https://x.logto.app/oidc` becomes
 * `https://x.logto.app/oidc/.well-known/openid-configuration`.
 */
export function discoveryUrls(issuer: string): string[] {
  const base = issuer.endsWith('/') ? issuer : `${issuer}/`;
  const url = new URL(base);
  const path = url.pathname.replace(/\/+$/, '');
  return [
    new URL('.well-known/openid-configuration', base).toString(),
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
  ];
}

/** The fields of a discovery document the token provider uses. */
export interface IssuerMetadata {
  issuer?: string;
  token_endpoint?: string;
  token_endpoint_auth_methods_supported?: string[];
}

/** `token_endpoint` of a discovery document, if it is a usable absolute http(s) URL. */
export function tokenEndpointOf(document: unknown): string | undefined {
  if (!document || typeof document !== 'object') return undefined;
  const value = (document as IssuerMetadata).token_endpoint;
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}
