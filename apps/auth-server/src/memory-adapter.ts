import type { Adapter, AdapterPayload } from 'oidc-provider';

const MAX_ENTRIES = 10_000;

interface Stored {
  payload: AdapterPayload;
  expiresAt: number;
}

/**
 * oidc-provider's storage. JWT access tokens from the client credentials grant are never looked
 * up again, so little is ever stored; this bounded in-memory store is enough and, unlike the
 * library's quick-start adapter, says so instead of warning at every start.
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
    return MemoryAdapter.get(this.key(id));
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
