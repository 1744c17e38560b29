/** The ways the cheap route is served in the overhead phase, in the order they are reported. */
export const VARIANTS = ['unprotected', 'library-default', 'shipped-no-cache', 'shipped'] as const;
export type Variant = (typeof VARIANTS)[number];

/** What each variant is, for the report. */
export const VARIANT_LABELS: Record<Variant, string> = {
  unprotected: 'unprotected',
  'library-default': 'express-oauth2-jwt-bearer default (auth() + requiredScopes)',
  'shipped-no-cache': 'protectApi, verification cache off',
  shipped: 'protectApi as shipped (verification cache on)',
};

/** The scope the route demands (a worldmappers-api scope). */
export const SCOPE = 'geocode:location';
export const AUDIENCE = 'urn:worldmappers';
export const ROUTE = '/api/location/status';

/**
 * How a variant's process serves its app: `app-server` as the services do (createAppServer of
 * @repo/http: requests created with the app's prototypes), `node-http` with Node's plain
 * `http.createServer(app)` (Express switches each request's prototype on arrival).
 */
export const SERVE_WITH = ['app-server', 'node-http'] as const;
export type ServeWith = (typeof SERVE_WITH)[number];
