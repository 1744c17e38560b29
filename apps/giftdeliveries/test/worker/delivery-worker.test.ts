import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { testLogger } from '@repo/testkit';
import type { Delivery } from '../../src/domain.js';
import type { DeliveryStore } from '../../src/store/delivery-store.js';
import { SqliteDeliveryStore } from '../../src/store/sqlite-store.js';
import { currentDeliveryId, DeliveryWorker } from '../../src/worker/delivery-worker.js';
import type { Planner } from '../../src/worker/planner.js';
import { PlanningError } from '../../src/worker/worldmappers-client.js';
import { addDelivery as add, route } from '../store/delivery-store-contract.js';

const T0 = Date.parse('2026-12-24T00:00:00Z');
/**
 * `vi.waitFor` advancing fake time by 20 ms per check, with room for a busy machine (the timeout
 * is real time).
 */
const eventually = (check: () => unknown) => vi.waitFor(check, { timeout: 10_000, interval: 20 });
/** A wait in fake time: resolves once the test advances the clock past it. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let store: SqliteDeliveryStore;
let sink: ReturnType<typeof testLogger>;

beforeEach(async () => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  store = await SqliteDeliveryStore.open(':memory:');
  sink = testLogger({ level: 'debug' });
});
afterEach(async () => {
  await store.close();
  vi.useRealTimers();
});

function worker(plan: Planner, extra: Partial<{ concurrency: number; on: DeliveryStore }> = {}) {
  return new DeliveryWorker({
    store: extra.on ?? store,
    replicaId: 'replica-1',
    plan,
    logger: sink.logger,
    concurrency: extra.concurrency ?? 3,
    pollMs: 20,
    leaseMs: 60_000,
    retryBaseMs: 30,
    retryMaxMs: 60,
    random: () => 0,
  });
}

const statusOf = async (id: string) => (await store.get(id))?.status;

describe('DeliveryWorker', () => {
  it('plans pending deliveries and stores their route', async () => {
    const id = await add(store, 'Oulu');
    const w = worker(async (d) => route(d.destination));
    w.start();
    await eventually(async () => expect(await statusOf(id)).toBe('planned'));
    await w.stop();
    expect(await store.get(id)).toMatchObject({
      status: 'planned',
      attempts: 1,
      route: route('Oulu'),
      plannedAt: expect.any(Number),
    });
  });

  it('names the delivery on every line about it, its claims after the replica, and plans in its context', async () => {
    const id = await add(store, 'Oulu');
    let seen: string | undefined;
    const w = worker(async (d) => {
      seen = currentDeliveryId();
      return route(d.destination);
    });
    w.start();
    await eventually(async () => expect(await statusOf(id)).toBe('planned'));
    await w.stop();
    expect(seen).toBe(id);
    expect(currentDeliveryId()).toBeUndefined();
    expect(w.owner).toMatch(/^replica-1:[0-9a-f]{8}$/);
    const about = sink.lines.filter((r) => r.deliveryId === id);
    expect(about.map((r) => r.message)).toEqual(['planning delivery', 'delivery planned']);
  });

  it('keeps a delivery pending after a transient failure, then plans it on a later attempt', async () => {
    const id = await add(store, 'Kyoto');
    let calls = 0;
    const w = worker(async (d) => {
      if (++calls <= 2) throw new PlanningError('worldmappers-api unreachable', false);
      return route(d.destination);
    });
    w.start();
    await eventually(async () => expect(await statusOf(id)).toBe('planned'));
    await w.stop();
    expect(calls).toBe(3);
    expect(await store.get(id)).toMatchObject({ attempts: 3, lastError: undefined });
  });

  it('records the attempt count, the error and the next try time of a postponed delivery', async () => {
    const id = await add(store, 'Kyoto');
    const w = new DeliveryWorker({
      store,
      replicaId: 'replica-1',
      plan: async () => {
        throw new PlanningError(
          'no access token',
          false,
          'invalid_client',
          'token request refused with invalid_client; check CLIENT_SECRET',
        );
      },
      logger: sink.logger,
      concurrency: 1,
      pollMs: 20,
      leaseMs: 60_000,
      retryBaseMs: 60_000,
      retryMaxMs: 600_000,
      random: () => 0,
    });
    w.start();
    await eventually(async () => expect((await store.get(id))?.attempts).toBe(1));
    await w.stop();
    const pending = await store.get(id);
    expect(pending?.status).toBe('pending');
    // Callers see the kind of trouble, not which of our variables is wrong.
    expect(pending?.lastError).toBe('no access token');
    // Equal jitter with random() = 0: half of the first step.
    expect(pending?.nextAttemptAt).toBe(pending!.updatedAt + 30_000);
  });

  it('waits at least as long as worldmappers-api asks in a 429 Retry-After', async () => {
    const id = await add(store, 'Kyoto');
    const w = new DeliveryWorker({
      store,
      replicaId: 'replica-1',
      plan: async () => {
        throw new PlanningError('directions refused', false, 'rate_limited', 'HTTP 429', 120_000);
      },
      logger: sink.logger,
      concurrency: 1,
      pollMs: 20,
      leaseMs: 60_000,
      retryBaseMs: 60_000,
      retryMaxMs: 600_000,
      random: () => 0,
    });
    w.start();
    await eventually(async () => expect((await store.get(id))?.attempts).toBe(1));
    await w.stop();
    const pending = await store.get(id);
    expect(pending?.status).toBe('pending');
    expect(pending?.lastError).toBe('directions refused');
    // Backoff alone would say 30 s (half the first step); the API asked for 120 s.
    expect(pending?.nextAttemptAt).toBe(pending!.updatedAt + 120_000);
  });

  it('fails a delivery for good on a permanent error, with the reason', async () => {
    const id = await add(store, 'Atlantis');
    const w = worker(async () => {
      throw new PlanningError(
        'geocoding "Atlantis" refused: HTTP 404 not_found',
        true,
        'not_found',
      );
    });
    w.start();
    await eventually(async () => expect(await statusOf(id)).toBe('failed'));
    await w.stop();
    expect(await store.get(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      failureReason: 'geocoding "Atlantis" refused: HTTP 404 not_found',
    });
  });

  it('plans each delivery exactly once with two workers on one store, a few at a time', async () => {
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
    const a = worker(plan, { concurrency: 2 });
    const b = worker(plan, { concurrency: 2 });
    a.start();
    b.start();
    await eventually(async () => expect(await store.list({ status: 'planned' })).toHaveLength(12));
    await Promise.all([a.stop(), b.stop()]);
    expect([...planned].sort()).toEqual([...ids].sort());
    expect(peak).toBeLessThanOrEqual(4);
  });

  it('on stop, finishes in-flight work within the grace period and releases what is left', async () => {
    const quick = await add(store, 'Quick');
    const slow = await add(store, 'Slow');
    const w = worker(async (d) => {
      await sleep(d.destination === 'Slow' ? 1_000 : 20);
      return route(d.destination);
    });
    w.start();
    await eventually(() => expect(w.inFlight).toBe(2));
    const stopped = w.stop(200);
    await vi.advanceTimersByTimeAsync(200);
    await stopped;
    expect(await statusOf(quick)).toBe('planned');
    expect(await store.get(slow)).toMatchObject({ status: 'pending', attempts: 0 });
    // Released claims are due again at once for the next worker…
    expect(await store.claimDue('next', 5, 1_000)).toMatchObject([{ id: slow }]);
    // …and the stopped worker's late answer does not count.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await statusOf(slow)).toBe('pending');
  });

  it('keeps polling while the database is away, backing off, and plans once it is back', async () => {
    const id = await add(store, 'Oulu');
    const down = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const claim = vi
      .spyOn(store, 'claimDue')
      .mockRejectedValueOnce(down)
      .mockRejectedValueOnce(down)
      .mockRejectedValueOnce(down);
    const w = worker(async (d) => route(d.destination));
    w.start();
    await eventually(async () => expect(await statusOf(id)).toBe('planned'));
    await w.stop();
    const failures = sink.lines.filter((r) => r.message === 'could not claim deliveries');
    // backoffDelay from pollMs (20) with random() = 0: 10, 20, 40 ms.
    expect(failures.map((r) => [r.failures, r.retryInMs])).toEqual([
      [1, 10],
      [2, 20],
      [3, 40],
    ]);
    expect(sink.lines.filter((r) => r.message === 'claiming deliveries again')).toHaveLength(1);
    expect(claim.mock.calls.length).toBeGreaterThanOrEqual(4);
  });

  it('leaves a delivery to its lease when its outcome cannot be written', async () => {
    const id = await add(store, 'Oulu');
    const lost = new Error('Connection terminated unexpectedly');
    vi.spyOn(store, 'markPlanned').mockRejectedValueOnce(lost);
    vi.spyOn(store, 'reschedule').mockRejectedValueOnce(lost);
    let calls = 0;
    const w = new DeliveryWorker({
      store,
      replicaId: 'replica-1',
      plan: async (d: Delivery) => {
        calls++;
        return route(d.destination);
      },
      logger: sink.logger,
      concurrency: 1,
      pollMs: 20,
      leaseMs: 5_000,
      retryBaseMs: 30,
      retryMaxMs: 60,
    });
    w.start();
    await eventually(() => expect(calls).toBe(1));
    // Not before the lease (5 s) has run out…
    await vi.advanceTimersByTimeAsync(4_000);
    expect(calls).toBe(1);
    // …and after it the delivery comes back and is planned: nothing was lost.
    await vi.advanceTimersByTimeAsync(1_000);
    await eventually(async () => expect(await statusOf(id)).toBe('planned'));
    await w.stop();
    expect(calls).toBe(2);
  });
});
