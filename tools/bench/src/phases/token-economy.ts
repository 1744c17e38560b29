import { giftdeliveriesTokens } from '../demo-client.js';
import type { ServiceProcess } from '@repo/testkit';

export interface TokenEconomyResult {
  calls: number;
  concurrency: number;
  /** HTTP requests the provider sent to the token endpoint (its own counter). */
  tokenRequests: number;
  /** `token issued` lines the auth-server logged meanwhile (the server's side of the count). */
  tokensIssuedByServer: number;
  discoveryRequests: number;
  /** Distinct access tokens handed out to the 10 000 callers. */
  distinctTokens: number;
  durationMs: number;
}

/**
 * 10 000 `getAccessToken()` calls from @repo/token-client's token provider, 200 at a time, against the
 * real auth-server: a well-behaved client asks for one token and shares it.
 */
export async function measureTokenEconomy(options: {
  issuer: string;
  auth: ServiceProcess;
  calls: number;
  concurrency: number;
}): Promise<TokenEconomyResult> {
  const issued = () => options.auth.records().filter((r) => r.message === 'token issued').length;
  const before = issued();
  const provider = giftdeliveriesTokens(options.issuer);
  const tokens = new Set<string>();
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < options.calls) {
      next++;
      tokens.add(await provider.getAccessToken());
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const durationMs = performance.now() - t0;
  // The server writes its log line as it answers: give the pipe a moment to deliver it.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const stats = provider.stats();
  return {
    calls: options.calls,
    concurrency: options.concurrency,
    tokenRequests: stats.tokenRequests,
    tokensIssuedByServer: issued() - before,
    discoveryRequests: stats.discoveryRequests,
    distinctTokens: tokens.size,
    durationMs,
  };
}
