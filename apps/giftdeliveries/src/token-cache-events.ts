import type { AuditEventBus } from '@repo/audit-events';
import type { TokenProvider } from '@repo/token-client';

/** How often the cache is looked at; an event is published only when something changed. */
const LOOK_EVERY_MS = 1_000;

/**
 * Publishes the worldmappers token cache's state as `cache` events: the cached token's
 * fingerprint, scopes, lifetime and renewal time, and the token requests made against the API
 * calls they served. Never the token itself.
 */
export function publishTokenCache(bus: AuditEventBus, tokens: TokenProvider): () => void {
  let last = '';
  const look = () => {
    const token = tokens.cachedToken();
    const { tokenRequests, tokensObtained, tokensServed, refusals } = tokens.stats();
    const fields = {
      clientId: tokens.clientId,
      audience: tokens.audience,
      tokenFingerprint: token?.fingerprint,
      tokenType: token?.tokenType,
      scope: token?.scope.join(' '),
      obtainedAt: token && new Date(token.obtainedAt).toISOString(),
      expiresAt: token && new Date(token.expiresAt).toISOString(),
      renewAt: token && new Date(token.renewAt).toISOString(),
      tokenRequests,
      tokensObtained,
      tokensServed,
      refusals,
    };
    const state = JSON.stringify(fields);
    if (state === last) return;
    last = state;
    bus.publish({ time: new Date().toISOString(), kind: 'cache', message: 'token cache', fields });
  };
  look();
  const timer = setInterval(look, LOOK_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
