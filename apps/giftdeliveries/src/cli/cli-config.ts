import { vars } from '@repo/config';

/** The storefront's development secret, the auth-server's default when unset. */
export const DEV_STOREFRONT_SECRET = 'storefront-dev-secret';

/**
 * Every variable the `deliver` CLI reads. Kept apart from `deliver.ts` (which runs on import) so
 * that checks such as the `.env.example` test can import it without starting the CLI.
 */
export const cliShape = {
  GIFTDELIVERIES_URL: vars.url('http://localhost:7002', 'http://localhost:7002'),
  GIFTDELIVERIES_AUDIENCE: vars.text('urn:giftdeliveries', 'urn:giftdeliveries'),
  STOREFRONT_CLIENT_ID: vars.text('storefront', 'storefront'),
  STOREFRONT_CLIENT_SECRET: vars.secret(DEV_STOREFRONT_SECRET),
  ISSUER_BASE_URL: vars.issuer('http://localhost:4000/'),
  AUTH0_DOMAIN: vars.optionalDomain(),
  TOKEN_ENDPOINT: vars.optionalUrl('http://localhost:4000/oauth/token'),
  TOKEN_AUTH_METHOD: vars.oneOf(
    ['client_secret_post', 'client_secret_basic'],
    'client_secret_post',
  ),
  TOKEN_AUDIENCE_PARAM: vars.oneOf(['audience', 'resource'], 'audience'),
};
