import { createTokenProvider, type TokenProvider } from '@repo/token-client';

/**
 * A token provider for the demo's `giftdeliveries` client (seeded by the auth-server with its
 * development secret), asking for worldmappers-api: the caller every bench phase plays.
 */
export function giftdeliveriesTokens(issuerBaseURL: string): TokenProvider {
  return createTokenProvider({
    clientId: 'giftdeliveries',
    clientSecret: 'giftdeliveries-dev-secret',
    audience: 'urn:worldmappers',
    issuerBaseURL,
  });
}
