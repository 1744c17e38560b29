import { loadConfigOrExit, serviceVars, vars } from '@repo/config';
import { DEMO_CLIENTS } from '@repo/contracts';

const client = DEMO_CLIENTS.console;

/** Every variable the console reads. */
export const configShape = {
  ...serviceVars(7003),
  /** The authorization server: the console asks it for tokens and checks tokens against its JWKS. */
  ISSUER_BASE_URL: vars.issuer('http://localhost:4000/'),
  WORLDMAPPERS_API_URL: vars.url('http://localhost:7001'),
  GIFTDELIVERIES_URL: vars.url('http://localhost:7002', 'http://localhost:7002'),
  /** The console's own client: granted `events:read` on the three services, nothing else. */
  CLIENT_ID: vars.text(client.id, client.id),
  CLIENT_SECRET: vars.secret(client.devSecret),
  /** "Try it"'s lab scenarios, run by the console itself: `auto` is on outside production only (never in it). */
  LAB_SCENARIOS: vars.oneOf(['auto', 'off'], 'auto'),
  /** The seeded clients' secrets, for "try it" (the console calls as each of them). */
  GIFTDELIVERIES_CLIENT_SECRET: vars.secret(DEMO_CLIENTS.giftdeliveries.devSecret),
  STORE_LOCATOR_CLIENT_SECRET: vars.secret(DEMO_CLIENTS['store-locator'].devSecret),
  STOREFRONT_CLIENT_SECRET: vars.secret(DEMO_CLIENTS.storefront.devSecret),
  BANNED_PARTNER_CLIENT_SECRET: vars.secret(DEMO_CLIENTS['banned-partner'].devSecret),
};

export type ConsoleConfig = ReturnType<typeof loadConfig>;

export function loadConfig() {
  return loadConfigOrExit(configShape, { service: 'console' });
}
