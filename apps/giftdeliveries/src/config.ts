import { loadConfigOrExit, serviceVars, vars } from '@repo/config';
import { TOKEN_SIGNING_ALGS } from '@repo/resource-server';
import { DEMO_CLIENTS } from '@repo/contracts';

/** Who this service is at the authorization server: by default the seeded demo client. */
const client = DEMO_CLIENTS.giftdeliveries;

/** Every variable giftdeliveries reads. */
export const configShape = {
  ...serviceVars(7002),
  /** The authorization server: trusted for our own API, and asked for worldmappers tokens. */
  ISSUER_BASE_URL: vars.issuer('http://localhost:4000/'),
  AUTH0_DOMAIN: vars.optionalDomain(),
  /** Our own API identifier (tokens sent to us must carry it). */
  AUDIENCE: vars.text('urn:giftdeliveries', 'urn:giftdeliveries'),
  /** The JWS algorithm tokens are signed with: RS256 (local auth-server, Auth0), ES384 (Logto's default). */
  TOKEN_SIGNING_ALG: vars.oneOf(TOKEN_SIGNING_ALGS, 'RS256'),
  CLIENT_ID: vars.text(client.id, client.id),
  /** Defaults to the auth-server's development secret, so `npm start` needs no `.env`. */
  CLIENT_SECRET: vars.secret(client.devSecret),
  /** Skips discovery (e.g. `https://tenant.auth0.com/oauth/token`). */
  TOKEN_ENDPOINT: vars.optionalUrl('http://localhost:4000/oauth/token'),
  TOKEN_AUTH_METHOD: vars.oneOf(
    ['client_secret_post', 'client_secret_basic'],
    'client_secret_post',
  ),
  TOKEN_AUDIENCE_PARAM: vars.oneOf(['audience', 'resource'], 'audience'),
  WORLDMAPPERS_API_URL: vars.url('http://localhost:7001'),
  WORLDMAPPERS_AUDIENCE: vars.text('urn:worldmappers', 'urn:worldmappers'),
  /** Where the SQLite database lives (`deliveries.db`). */
  DATA_DIR: vars.text('./data', './data'),
  /** The default origin of every delivery. */
  DEPOT: vars.text('Rovaniemi, FI', 'Rovaniemi, FI'),
  /** `auto` seeds sample deliveries into an empty store in development only. */
  SEED_SAMPLE_DELIVERIES: vars.oneOf(['auto', 'true', 'false'], 'auto'),
  /** Deliveries planned at the same time. */
  WORKER_CONCURRENCY: vars.integer(3, { min: 1, max: 32 }),
  /** How often the worker looks for due deliveries when idle. */
  WORKER_POLL_MS: vars.integer(1_000, { min: 10, unit: 'ms' }),
  /** How long a claim holds; a crashed worker's claims are taken over after it. */
  WORKER_LEASE_MS: vars.integer(60_000, { min: 1_000, unit: 'ms' }),
  /** First delay after a transient failure; doubles per attempt up to RETRY_MAX_MS. */
  RETRY_BASE_MS: vars.integer(2_000, { min: 10, unit: 'ms' }),
  RETRY_MAX_MS: vars.integer(300_000, { min: 10, unit: 'ms' }),
};

export type Config = ReturnType<typeof loadConfig>;

export const loadConfig = () => loadConfigOrExit(configShape, { service: 'giftdeliveries' });
