import { loadConfigOrExit, serviceVars, vars } from '@repo/config';
import { DPOP_MODES, TOKEN_SIGNING_ALGS } from '@repo/resource-server';

/** Every variable worldmappers-api reads. */
export const configShape = {
  ...serviceVars(7001),
  /** The authorization server whose tokens we accept (discovery + JWKS are fetched from it). */
  ISSUER_BASE_URL: vars.issuer('http://localhost:4000/'),
  /** Auth0 shorthand: `AUTH0_DOMAIN=tenant.eu.auth0.com` means `ISSUER_BASE_URL=https://tenant.eu.auth0.com/`. */
  AUTH0_DOMAIN: vars.optionalDomain(),
  /** Our API identifier: tokens must carry it in `aud`. */
  AUDIENCE: vars.text('urn:worldmappers', 'urn:worldmappers'),
  /** The JWS algorithm tokens are signed with: RS256 (local auth-server, Auth0), ES384 (Logto's default). */
  TOKEN_SIGNING_ALG: vars.oneOf(TOKEN_SIGNING_ALGS, 'RS256'),
  /**
   * DPoP-bound tokens (RFC 9449) at this API: `allowed` (Bearer and DPoP), `required` (DPoP
   * only) or `off` (Bearer only, every token with a cnf claim refused).
   */
  DPOP: vars.oneOf(DPOP_MODES, 'allowed'),
  /**
   * Requests per second each client may make to this API (counted per verified client id, after
   * authentication); past it, 429 with Retry-After. 0 turns the limit off.
   */
  API_RATE_LIMIT: vars.integer(1000, {
    min: 0,
    max: 1_000_000,
    unit: 'requests per second per client (0 = off)',
  }),
};

export const loadConfig = () => loadConfigOrExit(configShape, { service: 'worldmappers-api' });
