import { normalizeIssuer } from '@repo/config';
import type { IssuerMetadata } from './issuer-metadata.js';

/** What {@link issuerReadiness} found: the shape of a readiness check of @repo/http. */
export interface IssuerCheck {
  ok: boolean;
  /** Why it failed, in words an operator can act on. */
  reason?: string;
  [detail: string]: unknown;
}

const sameIssuer = (a: unknown, b: string) => {
  try {
    return typeof a === 'string' && normalizeIssuer(a) === b;
  } catch {
    return false;
  }
};

/**
 * A readiness check for a service that depends on the authorization server: its discovery
 * document is reachable and names this issuer, and its JWKS (RFC 7517) holds at least one key.
 * Each run fetches both (through `metadata`, so what it finds is what everyone uses).
 *
 * @param options.timeoutMs Timeout of each fetch. Default 2 000 (2 s), under a probe's timeout.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.3
 */
export function issuerReadiness(
  metadata: IssuerMetadata,
  options: { timeoutMs?: number } = {},
): () => Promise<IssuerCheck> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  return async () => {
    let found: Awaited<ReturnType<IssuerMetadata['refresh']>>;
    try {
      found = await metadata.refresh({ timeoutMs });
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
    const { url, document, keys } = found;
    if (!sameIssuer(document.issuer, metadata.issuer)) {
      return {
        ok: false,
        reason: `discovery names issuer ${JSON.stringify(document.issuer)}, expected ${JSON.stringify(metadata.issuer)}`,
      };
    }
    if (keys.jwks.keys.length === 0) return { ok: false, reason: 'JWKS has no keys' };
    return { ok: true, discovery: url, jwks: keys.uri, keys: keys.jwks.keys.length };
  };
}
