/**
 * One spelling per issuer: the URL as parsed, with a path that ends in exactly one slash, so that
 * `https://tenant.auth0.com` and `https://tenant.auth0.com/` are the same authorization server.
 * Resource servers compare `iss` with the discovered `issuer`, so the slash only has to be
 * consistent here. https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
export function normalizeIssuer(value: string): string {
  const url = new URL(value);
  url.hash = '';
  url.search = '';
  url.pathname = url.pathname.replace(/\/+$/, '') + '/';
  return url.toString();
}

/** `tenant.eu.auth0.com` → `https://tenant.eu.auth0.com/`, Auth0's issuer for that tenant. */
export function issuerFromAuth0Domain(domain: string): string {
  return normalizeIssuer(`https://${domain.replace(/^https?:\/\//, '').replace(/\/+$/, '')}/`);
}
