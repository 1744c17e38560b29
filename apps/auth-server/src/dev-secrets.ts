/**
 * The development client secrets: what `npm start` uses when a secret variable is unset, and the
 * values `.env.example` carries. They are public, so production refuses to start with any of them
 * (see `productionProblems` in `config.ts`). One module, so the guard and the example file cannot
 * disagree.
 */
export const DEV_CLIENT_SECRETS: Readonly<Record<string, string>> = Object.freeze({
  GIFTDELIVERIES_CLIENT_SECRET: 'giftdeliveries-dev-secret',
  STORE_LOCATOR_CLIENT_SECRET: 'store-locator-dev-secret',
  STOREFRONT_CLIENT_SECRET: 'storefront-dev-secret',
  BANNED_PARTNER_CLIENT_SECRET: 'banned-partner-dev-secret',
});
