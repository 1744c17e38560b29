/**
 * Load on the real processes: 2 000 deliveries posted by 100 concurrent clients. All must be
 * planned, none lost or duplicated, no 5xx anywhere, and giftdeliveries must have asked the
 * auth-server for at most 2 tokens (it caches and renews early, it does not ask per call).
 * Prints progress and figures; asserts no timing.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appScript, startDemoStack, type DemoStack } from 'demo-stack';
import { DeliveriesClient, NEARBY_DESTINATIONS } from '../../src/deliveries.js';

const TOTAL = 2_000;
const CLIENTS = 100;

let stack: DemoStack;

beforeAll(async () => {
  stack = await startDemoStack({
    commonEnv: { LOG_LEVEL: 'info' },
    env: { giftdeliveries: { WORKER_CONCURRENCY: '16', WORKER_POLL_MS: '100' } },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

interface StoreModule {
  SqliteDeliveryStore: {
    open(dir: string): Promise<{ count(): Promise<number>; close(): Promise<void> }>;
  };
}

describe('load', () => {
  it(`plans ${TOTAL} deliveries posted by ${CLIENTS} concurrent clients: none lost, none twice, no 5xx, at most 2 tokens`, async () => {
    const gd = stack.get('giftdeliveries');
    const client = new DeliveriesClient(gd.url, stack.issuer);
    const statuses = new Map<number, number>();
    const ids: string[] = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, clientNo) => {
        while (next < TOTAL) {
          const n = next++;
          const res = await client.create(
            {
              recipient: `load ${n}`,
              destination: NEARBY_DESTINATIONS[n % NEARBY_DESTINATIONS.length]!,
              gift: `gift from client ${clientNo}`,
            },
            `load-${n}`,
          );
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 202 && res.body.id) ids.push(res.body.id);
        }
      }),
    );
    const posted = Date.now() - started;
    console.log(
      `[load] ${TOTAL} POSTs from ${CLIENTS} clients in ${posted} ms (${Math.round((TOTAL * 1000) / posted)}/s); statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(Object.fromEntries(statuses)).toEqual({ 202: TOTAL });
    expect(new Set(ids).size).toBe(TOTAL);

    let lastPrint = 0;
    const views = await client.waitUntilSettled(ids, 150_000, (settled, total) => {
      if (Date.now() - lastPrint > 5_000 || settled === total) {
        lastPrint = Date.now();
        console.log(`[load] ${settled}/${total} settled after ${Date.now() - started} ms`);
      }
    });
    console.log(`[load] all settled after ${Date.now() - started} ms`);
    expect(views.filter((view) => view.status === 'planned')).toHaveLength(TOTAL);
    expect(new Set(views.map((view) => view.recipient)).size).toBe(TOTAL);

    // The store holds exactly these: nothing lost, nothing duplicated.
    const storeUrl = pathToFileURL(appScript('giftdeliveries', 'dist/store/sqlite-store.js')).href;
    const { SqliteDeliveryStore } = (await import(storeUrl)) as StoreModule;
    const store = await SqliteDeliveryStore.open(join(stack.dataDir, 'giftdeliveries'));
    try {
      expect(await store.count()).toBe(TOTAL);
    } finally {
      await store.close();
    }

    // Each delivery planned once.
    const planned = gd.records().filter((r) => r.message === 'delivery planned');
    expect(planned).toHaveLength(TOTAL);
    expect(new Set(planned.map((r) => r.deliveryId)).size).toBe(TOTAL);

    // No 5xx anywhere, no refusal of giftdeliveries by the API.
    for (const name of ['auth-server', 'worldmappers-api', 'giftdeliveries'] as const) {
      const records = stack.get(name).records();
      expect(records.filter((r) => Number(r.status) >= 500 || r.level === 'error')).toEqual([]);
    }
    const audits = stack
      .get('worldmappers-api')
      .records()
      .filter((r) => r.audit === true);
    expect(audits.filter((r) => r.decision !== 'allow')).toEqual([]);

    // giftdeliveries asked for a token at most twice.
    const issued = stack
      .get('auth-server')
      .records()
      .filter((r) => r.message === 'token issued' && r.client_id === 'giftdeliveries');
    console.log(
      `[load] worldmappers-api served ${audits.length} authorized calls; giftdeliveries asked for ${issued.length} token(s)`,
    );
    expect(issued.length).toBeGreaterThanOrEqual(1);
    expect(issued.length).toBeLessThanOrEqual(2);
  }, 240_000);
});
