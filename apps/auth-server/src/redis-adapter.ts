import type { Redis } from 'ioredis';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { claimPlaceholder, CLAIMED_BY_FIND } from './memory-adapter.js';

/**
 * oidc-provider's storage in Redis, for what replicas must share: the one-time-use records
 * (`ReplayDetection`: the `jti` of each client assertion and DPoP proof), so that one seen by one
 * replica is refused by every other. Keys expire with their records. While Redis cannot be
 * reached, each call falls back to this process's memory (`fallback`), as the counters do: the
 * token endpoint keeps answering, and replays are then refused per replica until Redis is back.
 */
export class RedisAdapter implements Adapter {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly model: string,
    private readonly fallback: Adapter,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:${this.model}:${id}`;
  }

  private async orFallback<T>(command: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    if (this.client.status !== 'ready') return fallback();
    try {
      return await command();
    } catch {
      return fallback();
    }
  }

  upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    return this.orFallback(
      async () => {
        await this.client.set(this.key(id), JSON.stringify(payload), 'EX', Math.max(1, expiresIn));
      },
      () => this.fallback.upsert(id, payload, expiresIn),
    );
  }

  find(id: string): Promise<AdapterPayload | undefined | void> {
    return this.orFallback(
      async () => {
        if (CLAIMED_BY_FIND.has(this.model)) {
          // Atomic across replicas: the first to ask claims the id, every later ask finds it.
          const claimed = await this.client.set(
            this.key(id),
            JSON.stringify(claimPlaceholder(id)),
            'EX',
            60,
            'NX',
          );
          if (claimed === 'OK') return undefined;
        }
        const stored = await this.client.get(this.key(id));
        return stored === null ? undefined : (JSON.parse(stored) as AdapterPayload);
      },
      () => this.fallback.find(id),
    );
  }

  async findByUserCode(): Promise<AdapterPayload | undefined> {
    return undefined;
  }

  async findByUid(): Promise<AdapterPayload | undefined> {
    return undefined;
  }

  consume(id: string): Promise<void> {
    return this.orFallback(
      async () => {
        const stored = await this.client.get(this.key(id));
        if (stored === null) return;
        const payload = JSON.parse(stored) as AdapterPayload;
        payload.consumed = Math.floor(Date.now() / 1000);
        await this.client.set(this.key(id), JSON.stringify(payload), 'KEEPTTL');
      },
      () => this.fallback.consume(id),
    );
  }

  destroy(id: string): Promise<void> {
    return this.orFallback(
      async () => {
        await this.client.del(this.key(id));
      },
      () => this.fallback.destroy(id),
    );
  }

  async revokeByGrantId(): Promise<void> {}
}
