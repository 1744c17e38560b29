import { createTokenProvider, type DpopKey, type TokenProvider } from '@repo/token-client';
import { DEMO_CLIENTS } from '@repo/contracts';

/**
 * A token provider for the demo's `giftdeliveries` client (seeded by the auth-server with its
 * development secret), asking for worldmappers-api: the caller every bench phase plays; with
 * `dpop`, its tokens are bound to that key (TOKEN_BINDING=dpop).
 */
export function giftdeliveriesTokens(issuerBaseURL: string, dpop?: DpopKey): TokenProvider {
  return createTokenProvider({
    clientId: DEMO_CLIENTS.giftdeliveries.id,
    clientSecret: DEMO_CLIENTS.giftdeliveries.devSecret,
    audience: 'urn:worldmappers',
    issuerBaseURL,
    ...(dpop && { dpop }),
  });
}
