import { hostname } from 'node:os';
import {
  ConfigError,
  exitOnConfigError,
  loadConfigOrExit,
  serviceVars,
  vars,
  type ConfigProblem,
} from '@repo/config';
import { DPOP_MODES, TOKEN_SIGNING_ALGS } from '@repo/resource-server';
import { DEMO_CLIENTS } from '@repo/contracts';
import { CLIENT_ASSERTION_ALGS, DEFAULT_CLIENT_ASSERTION_ALG } from '@repo/token-client';

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
  CLIENT_ID: vars.text(client.id, client.id),
  /** Defaults to the auth-server's development secret, so `npm start` needs no `.env`. */
  CLIENT_SECRET: vars.secret(client.devSecret),
  /** Skips discovery (e.g. `https://tenant.auth0.com/oauth/token`). */
  TOKEN_ENDPOINT: vars.optionalUrl('http://localhost:4000/oauth/token'),
  /** `private_key_jwt` (RFC 7523): sign an assertion with CLIENT_PRIVATE_KEY_FILE, send no secret. */
  TOKEN_AUTH_METHOD: vars.oneOf(
    ['client_secret_post', 'client_secret_basic', 'private_key_jwt'],
    'client_secret_post',
  ),
  /** The client's private key (PKCS #8 PEM or JWK) when TOKEN_AUTH_METHOD=private_key_jwt. */
  CLIENT_PRIVATE_KEY_FILE: vars.optionalText('./data/client-keys/giftdeliveries-keys.private.pem'),
  /** What the assertion is signed with; must fit the key (ES256: a P-256 key). */
  CLIENT_ASSERTION_ALG: vars.oneOf(CLIENT_ASSERTION_ALGS, DEFAULT_CLIENT_ASSERTION_ALG),
  /** The assertion's `aud`: the token endpoint (RFC 7523), or the issuer (what Auth0 asks for). */
  CLIENT_ASSERTION_AUDIENCE: vars.oneOf(['token_endpoint', 'issuer'], 'token_endpoint'),
  TOKEN_AUDIENCE_PARAM: vars.oneOf(['audience', 'resource'], 'audience'),
  /** `dpop`: worldmappers tokens bound to a key pair kept in memory, a proof on every call. */
  TOKEN_BINDING: vars.tokenBinding(),
  WORLDMAPPERS_API_URL: vars.url('http://localhost:7001'),
  WORLDMAPPERS_AUDIENCE: vars.text('urn:worldmappers', 'urn:worldmappers'),
  /** Where the SQLite database lives (`deliveries.db`); unused when DATABASE_URL is set. */
  DATA_DIR: vars.text('./data', './data'),
  /**
   * PostgreSQL instead of the embedded SQLite store: `postgres://user:password@host:5432/db`.
   * A secret (it may hold a password): never echoed; logs show {@link redactDatabaseUrl}'s form.
   */
  DATABASE_URL: vars.secret('', 'postgres://giftdeliveries@localhost:5432/giftdeliveries'),
  /** Names this process in every log line and in its claims: one delivery can be followed across replicas. */
  REPLICA_ID: vars.text(`${hostname()}-${process.pid}`, 'giftdeliveries-1'),
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

/** `DATABASE_URL` with its password masked, for log lines and messages. */
export function redactDatabaseUrl(value: string): string {
  const url = new URL(value);
  if (url.password) url.password = '***';
  return url.toString();
}

/** What is wrong with a `DATABASE_URL`, in words that never repeat its value. */
export function checkDatabaseUrl(value: string): ConfigProblem | undefined {
  if (value === '') return undefined;
  const problem = (message: string) => ({
    variable: 'DATABASE_URL',
    message: `${message}, e.g. DATABASE_URL=postgres://giftdeliveries@localhost:5432/giftdeliveries (value hidden)`,
  });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return problem('expected a postgres:// URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return problem(`expected the scheme postgres: or postgresql:, not ${url.protocol}`);
  }
  if (!url.hostname) return problem('expected a host name');
  return undefined;
}

export type Config = ReturnType<typeof loadConfig>;

/** The configuration, or a printed block of problems and exit status 78 (EX_CONFIG). */
export function loadConfig() {
  const config = loadConfigOrExit(configShape, { service: 'giftdeliveries' });
  const problem = checkDatabaseUrl(config.DATABASE_URL);
  if (problem) exitOnConfigError(new ConfigError('giftdeliveries', [problem]));
  return config;
}
