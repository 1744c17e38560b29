/**
 * A client the embedded auth-server seeds for the demo: who it is and where its secret comes
 * from. What it may ask for (its grants) is the auth-server's registry's business.
 */
export interface DemoClient {
  /** The OAuth 2.0 `client_id` (RFC 6749 §2.2). */
  readonly id: string;
  /** The environment variable that holds the client secret. */
  readonly secretEnv: string;
  /**
   * The secret used when that variable is unset, outside production, and the value
   * `.env.example` shows. Public on purpose: the auth-server refuses every one of them in
   * production.
   */
  readonly devSecret: string;
}

/**
 * The seeded demo clients, by id: the one place their development secrets are written. Every
 * app, tool and test that authenticates as one of them takes its secret from here.
 *
 * @example
 * const { id, devSecret } = DEMO_CLIENTS.storefront;
 */
export const DEMO_CLIENTS = {
  /** The delivery service calling worldmappers-api (all three worldmappers scopes). */
  giftdeliveries: {
    id: 'giftdeliveries',
    secretEnv: 'GIFTDELIVERIES_CLIENT_SECRET',
    devSecret: 'giftdeliveries-dev-secret',
  },
  /** Geocoding only: shows a 403 on the other worldmappers routes. */
  'store-locator': {
    id: 'store-locator',
    secretEnv: 'STORE_LOCATOR_CLIENT_SECRET',
    devSecret: 'store-locator-dev-secret',
  },
  /** Creates and reads deliveries on giftdeliveries' API (the `deliver` CLI). */
  storefront: {
    id: 'storefront',
    secretEnv: 'STOREFRONT_CLIENT_SECRET',
    devSecret: 'storefront-dev-secret',
  },
  /** The live console (apps/console): reads each service's audit events (`events:read`). */
  console: {
    id: 'console',
    secretEnv: 'CONSOLE_CLIENT_SECRET',
    devSecret: 'console-dev-secret',
  },
  /** Disabled: every token request is refused with `access_denied`. */
  'banned-partner': {
    id: 'banned-partner',
    secretEnv: 'BANNED_PARTNER_CLIENT_SECRET',
    devSecret: 'banned-partner-dev-secret',
  },
} as const satisfies Record<string, DemoClient>;

/** The id of a seeded demo client. */
export type DemoClientId = keyof typeof DEMO_CLIENTS;

/** The development secrets by variable name, as `.env.example` lists them. */
export const DEV_CLIENT_SECRETS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.values(DEMO_CLIENTS).map((c) => [c.secretEnv, c.devSecret])),
);

/**
 * The seeded client that authenticates with `private_key_jwt` (RFC 7523) instead of a secret: the
 * auth-server holds only its public keys, read from the JWKS file the variable names (default
 * `DATA_DIR/clients/giftdeliveries-keys.jwks.json`, written by `npm run keys:client`).
 */
export const DEMO_KEY_CLIENT = {
  id: 'giftdeliveries-keys',
  jwksFileEnv: 'GIFTDELIVERIES_KEYS_JWKS_FILE',
} as const;
