import { LRUCache } from 'lru-cache';
import { fingerprint } from '@repo/logger';
import { createTokenProvider, type TokenProvider } from '@repo/token-client';
import type { IssuerMetadata } from '@repo/issuer-metadata';
import type { Logger } from '@repo/logger';

/** How many tokens the console remembers by fingerprint, for "pick from the timeline". */
const REMEMBERED = 100;

/**
 * The console's token providers, one per client and audience, and the tokens it obtained itself
 * by fingerprint: the timeline shows only fingerprints (as the logs do), and a token the console
 * holds can be picked into the inspector by its fingerprint. Tokens of other processes never are.
 */
export class TokenBook {
  private readonly providers = new Map<string, TokenProvider>();
  private readonly byFingerprint = new LRUCache<string, string>({ max: REMEMBERED });

  constructor(
    private readonly options: {
      metadata: IssuerMetadata;
      logger: Logger;
      secretOf: (clientId: string) => string;
    },
  ) {}

  provider(clientId: string, audience: string): TokenProvider {
    const key = `${clientId} ${audience}`;
    let provider = this.providers.get(key);
    if (!provider) {
      provider = createTokenProvider({
        clientId,
        clientSecret: this.options.secretOf(clientId),
        audience,
        issuerMetadata: this.options.metadata,
        logger: this.options.logger,
        maxAttempts: 2,
        refusalCooldownMs: 0,
      });
      this.providers.set(key, provider);
    }
    return provider;
  }

  /** A token of that client for that audience, remembered by its fingerprint. */
  async token(clientId: string, audience: string): Promise<string> {
    const token = await this.provider(clientId, audience).getAccessToken();
    this.remember(token);
    return token;
  }

  remember(token: string): string {
    const print = fingerprint(token);
    this.byFingerprint.set(print, token);
    return print;
  }

  byPrint(print: string): string | undefined {
    return this.byFingerprint.peek(print);
  }

  /** The fingerprints the console can hand to the inspector. */
  known(): string[] {
    return [...this.byFingerprint.rkeys()];
  }
}
