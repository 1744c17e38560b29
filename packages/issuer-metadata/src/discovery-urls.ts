import { normalizeIssuer } from '@repo/config';

/**
 * Where an issuer publishes its metadata: OpenID Connect Discovery first (Auth0, Logto, Keycloak,
 * oidc-provider), then the OAuth 2.0 Authorization Server Metadata location for servers that are
 * not OpenID providers. Both append to the issuer's path: `https://x.logto.app/oidc` →
 * `https://x.logto.app/oidc/.well-known/openid-configuration`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
export function discoveryUrls(issuer: string): string[] {
  const base = normalizeIssuer(issuer);
  const url = new URL(base);
  return [
    new URL('.well-known/openid-configuration', base).toString(),
    `${url.origin}/.well-known/oauth-authorization-server${url.pathname.replace(/\/$/, '')}`,
  ];
}
