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

/**
 * The same client's raw token request body (client_secret_post), for phases that time the token
 * endpoint itself rather than the provider's cache.
 */
export function giftdeliveriesTokenForm(): string {
  const { id, devSecret } = DEMO_CLIENTS.giftdeliveries;
  return new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: id,
    client_secret: process.env.GIFTDELIVERIES_CLIENT_SECRET || devSecret,
    audience: 'urn:worldmappers',
  }).toString();
}
