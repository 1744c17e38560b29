import type { DeliveryList, DeliveryView, NewDeliveryRequest } from '@repo/contracts';
import { fetchToken } from './tokens.js';

/** Talks to giftdeliveries as the storefront client does. */
export class DeliveriesClient {
  /** One token request for every call, however many run at once (as a real client does). */
  private token: Promise<string> | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly issuer: string,
  ) {}

  private async authorization(): Promise<string> {
    this.token ??= fetchToken(this.issuer, 'storefront', 'urn:giftdeliveries').then(
      (response) => response.access_token,
      (error: unknown) => {
        this.token = undefined;
        throw error;
      },
    );
    return `Bearer ${await this.token}`;
  }

  /**
   * One call with the storefront's token. A 429 is waited out as its `Retry-After` asks (the API
   * limits requests per client per second, and 20 pollers can outrun it) and tried again, up to
   * five times; any other answer is returned as it is.
   */
  private async send(
    path: string,
    init: Omit<RequestInit, 'headers'> & { headers?: Record<string, string> } = {},
  ): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${this.baseUrl}${path}`, {
        ...init,
        headers: { ...init.headers, authorization: await this.authorization() },
      });
      const retryAfter = Number(res.headers.get('retry-after'));
      if (res.status !== 429 || attempt === 5 || !Number.isFinite(retryAfter)) return res;
      await res.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, Math.max(retryAfter, 0.05) * 1000));
    }
  }

  /** `POST /deliveries`; resolves with the status, the body and whether it was a replay. */
  async create(
    delivery: NewDeliveryRequest,
    idempotencyKey?: string,
  ): Promise<{
    status: number;
    body: { id?: string; status?: string; error?: string };
    replayed: boolean;
  }> {
    const res = await this.send('/deliveries', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      },
      body: JSON.stringify(delivery),
    });
    return {
      status: res.status,
      body: (await res.json()) as { id?: string; status?: string },
      replayed: res.headers.get('idempotent-replayed') === 'true',
    };
  }

  async get(id: string): Promise<DeliveryView> {
    const res = await this.send(`/deliveries/${id}`);
    if (res.status !== 200) throw new Error(`GET /deliveries/${id}: ${res.status}`);
    return (await res.json()) as DeliveryView;
  }

  /** `GET /deliveries?status=&limit=200`. */
  async list(status?: string): Promise<DeliveryView[]> {
    const query = new URLSearchParams({ limit: '200', ...(status ? { status } : {}) });
    const res = await this.send(`/deliveries?${query.toString()}`);
    if (res.status !== 200) throw new Error(`GET /deliveries: ${res.status}`);
    return ((await res.json()) as DeliveryList).deliveries;
  }

  /** Every delivery of `ids`, fetched `concurrency` at a time. */
  async getAll(ids: string[], concurrency = 20): Promise<DeliveryView[]> {
    const out: DeliveryView[] = new Array<DeliveryView>(ids.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < ids.length) {
          const index = next++;
          out[index] = await this.get(ids[index]!);
        }
      }),
    );
    return out;
  }

  /** Polls until no delivery of `ids` is pending; resolves with their final views. */
  async waitUntilSettled(
    ids: string[],
    timeoutMs: number,
    progress?: (planned: number, total: number) => void,
  ): Promise<DeliveryView[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const views = await this.getAll(ids);
      const settled = views.filter((view) => view.status !== 'pending').length;
      progress?.(settled, ids.length);
      if (settled === ids.length) return views;
      if (Date.now() > deadline) {
        throw new Error(`${ids.length - settled} of ${ids.length} deliveries still pending`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Places giftdeliveries plans quickly (short road routes from the depot, Rovaniemi). */
export const NEARBY_DESTINATIONS = [
  'Helsinki, FI',
  'Oulu, FI',
  'Tampere, FI',
  'Turku, FI',
  'Stockholm, SE',
  'Oslo, NO',
  'Tallinn, EE',
  'Kemi, FI',
  'Kuopio, FI',
  'Lahti, FI',
];
