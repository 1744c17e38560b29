/**
 * The registry: which APIs exist, which scopes they define, how long their tokens live, and which
 * clients may ask for which scopes of which API. Plain data, reviewed like code; client secrets
 * are never here, only the name of the variable that holds each one. A `private_key_jwt` client
 * has no secret at all: it names where its public keys are (a JWKS file, or a `jwks_uri`).
 *
 * To add an API or a client, add an entry below: `validateRegistry` checks it at start-up. The
 * seeded clients' ids and secret variables come from @repo/contracts, which also holds their
 * development secrets, so the apps, tools and tests that authenticate as them agree with us.
 */
import { DEMO_CLIENTS, DEMO_KEY_CLIENT, type DemoClientId } from '@repo/contracts';

/** A protected API (a resource server), known to clients by its identifier (`aud`). */
export interface ApiDefinition {
  /** The audience: what clients send as `audience` or `resource`, and the token's `aud`. */
  identifier: string;
  name: string;
  /** Scope name → what it allows, for people reading the registry. */
  scopes: Readonly<Record<string, string>>;
  /** Access token lifetime in seconds (`exp − iat`). */
  tokenLifetimeSeconds: number;
}

/**
 * Where a `private_key_jwt` client's public keys are (RFC 7523, OpenID Connect Core §9): a JWKS
 * file, named by a variable (with a default path relative to `DATA_DIR`), re-read when it changes
 * so that a key can be added or retired while the server runs; or a `jwks_uri` the client serves.
 */
export type PublicKeySource =
  { jwksFileEnv: string; defaultJwksFile: string } | { jwksUri: string };

/**
 * A machine-to-machine client: it authenticates with its id and a secret (`secretEnv`), or with
 * an assertion signed by its private key (`publicKeys`), never both.
 */
export interface ClientDefinition {
  id: string;
  name: string;
  /** A disabled client still authenticates, but every token request is refused (`access_denied`). */
  enabled: boolean;
  /** The environment variable that holds the client secret (`client_secret_basic`/`_post`). */
  secretEnv?: string;
  /** The client's public keys: it uses `private_key_jwt` and has no secret. */
  publicKeys?: PublicKeySource;
  /** API identifier → the scopes of that API this client may receive. */
  grants: Readonly<Record<string, readonly string[]>>;
  /** Tokens it may get per hour (429 too_many_requests beyond); default 1000. */
  tokenQuotaPerHour?: number;
}

export interface Registry {
  apis: readonly ApiDefinition[];
  clients: readonly ClientDefinition[];
}

/**
 * The longest token lifetime of any API: how long a retired signing key must stay published. The
 * server and `rotate-keys` both use it, so they agree on when a retired key may go.
 */
export function maxTokenLifetimeSeconds(apis: Iterable<ApiDefinition>): number {
  return Math.max(0, ...[...apis].map((api) => api.tokenLifetimeSeconds));
}

/** Tokens per client per hour when the registry names no `tokenQuotaPerHour`. */
export const DEFAULT_TOKEN_QUOTA_PER_HOUR = 1000;

/** A seeded client's id and secret variable (its development secret stays in the contract). */
const seeded = (id: DemoClientId) => ({ id, secretEnv: DEMO_CLIENTS[id].secretEnv });

/** The demo's APIs and clients. */
export const registry: Registry = {
  apis: [
    {
      identifier: 'urn:worldmappers',
      name: 'WorldMappers API',
      scopes: {
        'geocode:location': 'Turn a place name into coordinates',
        'reverse-geocode:location': 'Turn coordinates into the nearest place',
        directions: 'Compute a route between two places',
        'events:read': "Stream this API's redacted audit events (the console)",
      },
      tokenLifetimeSeconds: 3600,
    },
    {
      identifier: 'urn:giftdeliveries',
      name: 'Gift Deliveries API',
      scopes: {
        'deliveries:read': 'Read deliveries and their status',
        'deliveries:write': 'Create deliveries',
        'events:read': "Stream this API's redacted audit events (the console)",
      },
      tokenLifetimeSeconds: 3600,
    },
    {
      // The authorization server's own event stream (GET /events): it is a resource server too.
      identifier: 'urn:auth-server',
      name: 'Authorization server events',
      scopes: {
        'events:read': "Stream the authorization server's redacted audit events (the console)",
      },
      tokenLifetimeSeconds: 3600,
    },
  ],
  clients: [
    {
      ...seeded('giftdeliveries'),
      name: 'Gift Deliveries service',
      enabled: true,
      grants: {
        'urn:worldmappers': ['geocode:location', 'reverse-geocode:location', 'directions'],
      },
    },
    {
      ...seeded('store-locator'),
      name: 'Store locator (geocoding only)',
      enabled: true,
      grants: {
        'urn:worldmappers': ['geocode:location'],
      },
    },
    {
      ...seeded('storefront'),
      name: 'Storefront',
      enabled: true,
      grants: {
        'urn:giftdeliveries': ['deliveries:read', 'deliveries:write'],
      },
    },
    {
      ...seeded('console'),
      name: 'Live console (reads audit events)',
      enabled: true,
      grants: {
        'urn:auth-server': ['events:read'],
        'urn:worldmappers': ['events:read'],
        'urn:giftdeliveries': ['events:read'],
      },
    },
    {
      ...seeded('banned-partner'),
      name: 'Banned partner (disabled)',
      enabled: false,
      grants: {
        'urn:worldmappers': ['geocode:location'],
      },
    },
    {
      // No secret: it signs a short-lived assertion with its private key; we hold the public key.
      id: DEMO_KEY_CLIENT.id,
      name: 'Gift Deliveries service (private_key_jwt)',
      enabled: true,
      publicKeys: {
        jwksFileEnv: DEMO_KEY_CLIENT.jwksFileEnv,
        defaultJwksFile: `clients/${DEMO_KEY_CLIENT.id}.jwks.json`,
      },
      grants: {
        'urn:worldmappers': ['geocode:location', 'reverse-geocode:location', 'directions'],
      },
    },
  ],
};
