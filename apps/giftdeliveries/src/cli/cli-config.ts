import { vars } from '@repo/config';
import { DEMO_CLIENTS } from '@repo/contracts';
import { configShape } from '../config.js';

/** The CLI is the seeded storefront client, with its development secret by default. */
const storefront = DEMO_CLIENTS.storefront;

/**
 * Every variable the `deliver` CLI reads. Kept apart from `deliver.ts` (which runs on import) so
 * that checks such as the `.env.example` test can import it without starting the CLI. The CLI asks
 * the same authorization server as the service, in the same style: those entries are the service's.
 */
export const cliShape = {
  GIFTDELIVERIES_URL: vars.url('http://localhost:7002', 'http://localhost:7002'),
  GIFTDELIVERIES_AUDIENCE: vars.text('urn:giftdeliveries', 'urn:giftdeliveries'),
  STOREFRONT_CLIENT_ID: vars.text(storefront.id, storefront.id),
  STOREFRONT_CLIENT_SECRET: vars.secret(storefront.devSecret),
  /**
   * Set: the CLI signs private_key_jwt assertions with this key instead of sending the secret
   * (the service's TOKEN_AUTH_METHOD=private_key_jwt is about the service's own key).
   */
  STOREFRONT_PRIVATE_KEY_FILE: vars.optionalText('./data/client-keys/storefront.private.pem'),
  CLIENT_ASSERTION_ALG: configShape.CLIENT_ASSERTION_ALG,
  CLIENT_ASSERTION_AUDIENCE: configShape.CLIENT_ASSERTION_AUDIENCE,
  ISSUER_BASE_URL: configShape.ISSUER_BASE_URL,
  AUTH0_DOMAIN: configShape.AUTH0_DOMAIN,
  TOKEN_ENDPOINT: configShape.TOKEN_ENDPOINT,
  TOKEN_AUTH_METHOD: configShape.TOKEN_AUTH_METHOD,
  TOKEN_AUDIENCE_PARAM: configShape.TOKEN_AUDIENCE_PARAM,
  TOKEN_BINDING: configShape.TOKEN_BINDING,
};
