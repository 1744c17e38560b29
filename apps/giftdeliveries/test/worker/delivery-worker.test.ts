import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@repo/logger';
import type { Route } from '../../src/domain.js';
import { DeliveryStore } from '../../src/store/delivery-store.js';
import { DeliveryWorker } from '../../src/worker/delivery-worker.js';
import type { Planner } from '../../src/worker/planner.js';
import { PlanningError } from '../../src/worker/worldmappers-client.js';

const logger = createLogger({ service: 'test', level: 'error', format: 'json' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const route = (to: string): Route => ({
  mode: 'road',
  from: { name: 'Rovaniemi', country: 'FI', lat: 66.5, lng: 25.72 },
  to: { name: to, country: 'FI', lat: 65.01, lng: 25.47 },
  distanceKm: 100,
  durationMinutes: 90,
  steps: [{ action: `Head south to ${to}`, distanceKm: 100, durationMinutes: 90 }],
});

async function until(check: () => Promise<boolean>, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

function worker(store: DeliveryStore, plan: Planner, extra: { concurrency?: number } = {}) {
  return new DeliveryWorker({
    store,
    plan,
    logger,
    concurrency: extra.concurrency ?? 3,
    pollMs: 20,
    leaseMs: 60_000,
    retryBaseMs: 30,
    retryMaxMs: 60,
  });
}

const add = (store: DeliveryStore, destination: string) =>
  store.create({ recipient: 'r', destination, origin: 'Rovaniemi' }).then((r) => r.delivery.id);

describe('DeliveryWorker', () => {
  it('plans pending deliveries and stores their route', async () => {
    const store = await DeliveryStore.open(':memory:');
    const id = await add(store, 'Oulu');
    const w = worker(store, async (d) => route(d.destination));
    w.start();
    await until(async () => (await store.get(id))?.status === 'planned');
    await w.stop();
    expect(await store.get(id)).toMatchObject({
      status: 'planned',
      attempts: 1,
      route: route('Oulu'),
      plannedAt: expect.any(Number),
    });
  });

  it('keeps a delivery pending after a transient failure, then plans it on a later attempt', async () => {
    const store = await DeliveryStore.open(':memory:');
    const id = await add(store, 'Kyoto');
    let calls = 0;
    const w = worker(store, async (d) => {
      if (++calls <= 2) throw new PlanningError('worldmappers-api unreachable', false);
      return route(d.destination);
    });
    w.start();
    await until(async () => (await store.get(id))?.status === 'planned');
    await w.stop();
    const done = await store.get(id);
    expect(calls).toBe(3);
    expect(done?.attempts).toBe(3);
    expect(done?.lastError).toBeUndefined();
  });

  it('records the attempt count, the error and the next try time of a postponed delivery', async () => {
    const store = await DeliveryStore.open(':memory:');
    const id = await add(store, 'Kyoto');
    const w = new DeliveryWorker({
      store,
      plan: async () => {
        throw new PlanningError(
          'no access token',
          false,
          'invalid_client',
          'token request refused with invalid_client; check CLIENT_SECRET',
        );
      },
      logger,
      concurrency: 1,
      pollMs: 20,
      leaseMs: 60_000,
      retryBaseMs: 60_000,
      retryMaxMs: 600_000,
    });
    const before = Date.now();
    w.start();
    await until(async () => (await store.get(id))?.attempts === 1);
    await w.stop();
    const pending = await store.get(id);
    expect(pending?.status).toBe('pending');
    // Callers see the kind of trouble, not which of our variables is wrong.
    expect(pending?.lastError).toBe('no access token');
    expect(pending?.nextAttemptAt).toBeGreaterThanOrEqual(before + 30_000);
  });

  it('fails a delivery for good on a permanent error, with the reason', async () => {
    const store = await DeliveryStore.open(':memory:');
    const id = await add(store, 'Atlantis');
    const w = worker(store, async () => {
      throw new PlanningError(
        'geocoding "Atlantis" refused: HTTP 404 not_found',
        true,
        'not_found',
      );
    });
    w.start();
    await until(async () => (await store.get(id))?.status === 'failed');
    await w.stop();
    expect(await store.get(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      failureReason: 'geocoding "Atlantis" refused: HTTP 404 not_found',
    });
  });

  it('plans each delivery exactly once with two workers on one store, a few at a time', async () => {
    const store = await DeliveryStore.open(':memory:');
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => add(store, `Town ${i}`)));
    const planned: string[] = [];
    let active = 0;
    let peak = 0;
    const plan: Planner = async (d) => {
      active++;
      peak = Math.max(peak, active);
      await sleep(15);
      planned.push(d.id);
      active--;
      return route(d.destination);
    };
    const a = worker(store, plan, { concurrency: 2 });
    const b = worker(store, plan, { concurrency: 2 });
    a.start();
    b.start();
    await until(async () => (await store.list({ status: 'planned' })).length === 12);
    await Promise.all([a.stop(), b.stop()]);
    expect([...planned].sort()).toEqual([...ids].sort());
    expect(peak).toBeLessThanOrEqual(4);
  });

  it('on stop, finishes in-flight work within the grace period and releases what is left', async () => {
    const store = await DeliveryStore.open(':memory:');
    const quick = await add(store, 'Quick');
    const slow = await add(store, 'Slow');
    const w = worker(store, async (d) => {
      await sleep(d.destination === 'Slow' ? 1_000 : 20);
      return route(d.destination);
    });
    w.start();
    await until(async () => w.inFlight === 2);
    await w.stop(200);
    expect((await store.get(quick))?.status).toBe('planned');
    const released = await store.get(slow);
    expect(released?.status).toBe('pending');
    expect(released?.attempts).toBe(0);
    // Released claims are due again at once for the next worker.
    expect(await store.claimDue('next', 5, 1_000)).toMatchObject([{ id: slow }]);
    await sleep(1_000);
    expect((await store.get(slow))?.status).toBe('pending');
  });
});

describe('DeliveryStore claims', () => {
  it('lets a crashed worker’s claim be taken over once its lease has expired', async () => {
    let now = 1_000_000;
    const store = await DeliveryStore.open(':memory:', { now: () => now });
    const id = await add(store, 'Oulu');
    expect(await store.claimDue('crashed', 5, 60_000)).toHaveLength(1);
    expect(await store.claimDue('other', 5, 60_000)).toEqual([]);
    now += 60_000;
    expect(await store.claimDue('other', 5, 60_000)).toMatchObject([{ id }]);
    // The crashed worker's late answer no longer counts.
    expect(await store.markPlanned(id, 'crashed', route('Oulu'))).toBe(false);
    expect(await store.markPlanned(id, 'other', route('Oulu'))).toBe(true);
  });

  it('survives reopening the database file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'giftdeliveries-'));
    const first = await DeliveryStore.open(dir);
    const id = await add(first, 'Paris');
    first.close();
    const second = await DeliveryStore.open(dir);
    try {
      expect(await second.get(id)).toMatchObject({ status: 'pending', destination: 'Paris' });
    } finally {
      second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
