import type { Adapter, AdapterPayload } from 'oidc-provider';

const MAX_ENTRIES = 10_000;

/**
 * Models whose `find` claims the id it does not find. oidc-provider checks a one-time `jti`
 * (client assertions, DPoP proofs) with `find` and then `upsert`: two identical requests at once
 * could both find nothing. Claiming in `find` makes the check atomic; the `upsert` that follows
 * stores the real record over the placeholder.
 */
export const CLAIMED_BY_FIND = new Set(['ReplayDetection']);

/** What a claimed id holds until oidc-provider's `upsert`: a record that verifies as present. */
export function claimPlaceholder(id: string): AdapterPayload {
  const now = Math.floor(Date.now() / 1000);
  return { jti: id, kind: 'ReplayDetection', iat: now, exp: now + 60 };
}

interface Stored {
  payload: AdapterPayload;
  expiresAt: number;
}

/**
 * oidc-provider's storage in this process. JWT access tokens from the client credentials grant are
 * never looked up again, so little is ever stored: the one-time `jti`s of client assertions and
 * DPoP proofs. This bounded in-memory store is enough for one replica and, unlike the library's
 * quick-start adapter, says so instead of warning at every start; replicas share
 * {@link RedisAdapter} instead.
 */
export class MemoryAdapter implements Adapter {
  private static readonly store = new Map<string, Stored>();

  constructor(private readonly model: string) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  private static get(key: string): AdapterPayload | undefined {
    const stored = MemoryAdapter.store.get(key);
    if (!stored) return undefined;
    if (stored.expiresAt <= Date.now()) {
      MemoryAdapter.store.delete(key);
      return undefined;
    }
    return stored.payload;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const store = MemoryAdapter.store;
    store.set(this.key(id), { payload, expiresAt: Date.now() + expiresIn * 1000 });
    while (store.size > MAX_ENTRIES) store.delete(store.keys().next().value as string);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const found = MemoryAdapter.get(this.key(id));
    if (!found && CLAIMED_BY_FIND.has(this.model)) await this.upsert(id, claimPlaceholder(id), 60);
    return found;
  }

  async findByUserCode(): Promise<AdapterPayload | undefined> {
    return undefined;
  }

  async findByUid(): Promise<AdapterPayload | undefined> {
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const payload = MemoryAdapter.get(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    MemoryAdapter.store.delete(this.key(id));
  }

  async revokeByGrantId(): Promise<void> {}
}
