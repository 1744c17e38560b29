/**
 * The contract every DeliveryStore keeps, run against each implementation by its own test file
 * (sqlite-store.test.ts, postgres-store.test.ts). Time is vitest's fake `Date`: the stores read
 * `Date.now()`, and only the clock is faked, so database I/O runs as usual.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Route } from '../../src/domain.js';
import { IdempotencyConflictError, type DeliveryStore } from '../../src/store/delivery-store.js';

const T0 = Date.parse('2026-12-24T00:00:00Z');

export const route = (to: string): Route => ({
  mode: 'road',
  from: { name: 'Rovaniemi', country: 'FI', lat: 66.5, lng: 25.72 },
  to: { name: to, country: 'FI', lat: 65.01, lng: 25.47 },
  distanceKm: 100.5,
  durationMinutes: 90,
  steps: [{ action: `Head south to ${to}`, distanceKm: 100.5, durationMinutes: 90 }],
  geometry: {
    type: 'LineString',
    coordinates: [
      [25.72, 66.5],
      [25.47, 65.01],
    ],
  },
});

export const addDelivery = (store: DeliveryStore, destination: string) =>
  store
    .create({ recipient: 'r', destination, origin: 'Rovaniemi' })
    .then((result) => result.delivery.id);

/** Runs the contract on stores from `open`; each test gets an empty store, closed afterwards. */
export function describeDeliveryStore(name: string, open: () => Promise<DeliveryStore>): void {
  describe(`${name} store contract`, () => {
    let store: DeliveryStore;

    beforeEach(async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(T0);
      store = await open();
    });
    afterEach(async () => {
      await store.close();
      vi.useRealTimers();
    });

    it('records a new delivery pending, due at once, and reads it back', async () => {
      const { delivery, replayed } = await store.create(
        { recipient: 'Yuki', destination: 'Kyoto, JP', origin: 'Rovaniemi, FI', gift: 'a sleigh' },
        { clientId: 'storefront' },
      );
      expect(replayed).toBe(false);
      const expected = {
        id: delivery.id,
        recipient: 'Yuki',
        destination: 'Kyoto, JP',
        origin: 'Rovaniemi, FI',
        gift: 'a sleigh',
        status: 'pending',
        attempts: 0,
        nextAttemptAt: T0,
        lastError: undefined,
        failureReason: undefined,
        route: undefined,
        clientId: 'storefront',
        createdAt: T0,
        updatedAt: T0,
        plannedAt: undefined,
      };
      expect(delivery).toEqual(expected);
      expect(await store.get(delivery.id)).toEqual(expected);
      expect(await store.get('no-such-id')).toBeUndefined();
      expect(await store.count()).toBe(1);
    });

    it('lists newest first (insertion order breaks ties), by status, up to the limit', async () => {
      const first = await addDelivery(store, 'Oulu');
      const second = await addDelivery(store, 'Kemi');
      vi.setSystemTime(T0 + 1);
      const third = await addDelivery(store, 'Turku');
      expect((await store.list()).map((d) => d.id)).toEqual([third, second, first]);
      expect((await store.list({ limit: 2 })).map((d) => d.id)).toEqual([third, second]);
      await store.claimDue('w', 1, 60_000);
      await store.markFailed(first, 'w', 'unknown place');
      expect((await store.list({ status: 'failed' })).map((d) => d.id)).toEqual([first]);
      expect((await store.list({ status: 'pending' })).map((d) => d.id)).toEqual([third, second]);
    });

    it('answers a repeated idempotency key with the first delivery, per client, and refuses another body', async () => {
      const input = { recipient: 'Yuki', destination: 'Kyoto, JP', origin: 'Rovaniemi' };
      const options = { clientId: 'storefront', idempotencyKey: 'k-1', requestHash: 'h1' };
      const first = await store.create(input, options);
      const again = await store.create(input, options);
      expect(again).toEqual({ delivery: first.delivery, replayed: true });
      const other = await store.create(input, { ...options, clientId: 'other-shop' });
      expect(other.replayed).toBe(false);
      expect(other.delivery.id).not.toBe(first.delivery.id);
      const conflict = await store
        .create(input, { ...options, requestHash: 'h2' })
        .catch((error: unknown) => error);
      expect(conflict).toBeInstanceOf(IdempotencyConflictError);
      expect((conflict as IdempotencyConflictError).deliveryId).toBe(first.delivery.id);
      expect(await store.count()).toBe(2);
    });

    it('answers concurrent duplicates of one idempotency key with one delivery', async () => {
      const input = { recipient: 'Yuki', destination: 'Kyoto, JP', origin: 'Rovaniemi' };
      const options = { clientId: 'storefront', idempotencyKey: 'same', requestHash: 'h' };
      const results = await Promise.all(
        Array.from({ length: 8 }, () => store.create(input, options)),
      );
      expect(new Set(results.map((r) => r.delivery.id)).size).toBe(1);
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
      expect(await store.count()).toBe(1);
    });

    it('claims due deliveries oldest first, up to the limit, each for one owner until its lease ends', async () => {
      const a = await addDelivery(store, 'A');
      vi.setSystemTime(T0 + 1);
      const b = await addDelivery(store, 'B');
      const c = await addDelivery(store, 'C');
      expect((await store.claimDue('w1', 2, 60_000)).map((d) => d.id)).toEqual([a, b]);
      expect((await store.claimDue('w2', 5, 60_000)).map((d) => d.id)).toEqual([c]);
      expect(await store.claimDue('w3', 5, 60_000)).toEqual([]);
      // A claim shows nowhere in the record: the delivery is still pending.
      expect(await store.get(a)).toMatchObject({ status: 'pending', attempts: 0 });
    });

    it('lets a crashed owner’s claim be taken over once its lease has expired; its late answer no longer counts', async () => {
      const id = await addDelivery(store, 'Oulu');
      expect(await store.claimDue('crashed', 5, 60_000)).toHaveLength(1);
      vi.setSystemTime(T0 + 59_999);
      expect(await store.claimDue('other', 5, 60_000)).toEqual([]);
      vi.setSystemTime(T0 + 60_000);
      expect(await store.claimDue('other', 5, 60_000)).toMatchObject([{ id }]);
      expect(await store.markPlanned(id, 'crashed', route('Oulu'))).toBe(false);
      expect(await store.markFailed(id, 'crashed', 'late')).toBe(false);
      expect(await store.reschedule(id, 'crashed', 'late', T0)).toBe(false);
      expect(await store.markPlanned(id, 'other', route('Oulu'))).toBe(true);
      // The outcome is written once: neither owner can write another.
      expect(await store.markPlanned(id, 'other', route('Oulu'))).toBe(false);
      expect(await store.markFailed(id, 'other', 'again')).toBe(false);
      expect(await store.get(id)).toEqual(
        expect.objectContaining({
          status: 'planned',
          attempts: 1,
          route: route('Oulu'),
          plannedAt: T0 + 60_000,
          updatedAt: T0 + 60_000,
        }),
      );
      expect(await store.claimDue('third', 5, 60_000)).toEqual([]);
    });

    it('keeps a rescheduled delivery pending with the error, due again at the given time', async () => {
      const id = await addDelivery(store, 'Kyoto');
      await store.claimDue('w', 1, 60_000);
      expect(await store.reschedule(id, 'w', 'worldmappers-api unreachable', T0 + 5_000)).toBe(
        true,
      );
      expect(await store.get(id)).toMatchObject({
        status: 'pending',
        attempts: 1,
        lastError: 'worldmappers-api unreachable',
        nextAttemptAt: T0 + 5_000,
      });
      expect(await store.claimDue('w', 1, 60_000)).toEqual([]);
      vi.setSystemTime(T0 + 5_000);
      expect(await store.claimDue('w', 1, 60_000)).toMatchObject([{ id, attempts: 1 }]);
      expect(await store.markPlanned(id, 'w', route('Kyoto'))).toBe(true);
      expect(await store.get(id)).toMatchObject({ attempts: 2, lastError: undefined });
    });

    it('fails a claimed delivery for good, with the reason', async () => {
      const id = await addDelivery(store, 'Atlantis');
      await store.claimDue('w', 1, 60_000);
      expect(await store.markFailed(id, 'w', 'unknown place')).toBe(true);
      expect(await store.get(id)).toMatchObject({
        status: 'failed',
        attempts: 1,
        failureReason: 'unknown place',
      });
      expect(await store.claimDue('w', 1, 60_000)).toEqual([]);
    });

    it('gives released claims back at once, uncounted, and only the owner’s', async () => {
      const a = await addDelivery(store, 'A');
      const b = await addDelivery(store, 'B');
      await store.claimDue('w1', 2, 60_000);
      expect(await store.release([a, b], 'someone-else')).toBe(0);
      expect(await store.release([a], 'w1')).toBe(1);
      expect(await store.release([], 'w1')).toBe(0);
      expect(await store.claimDue('w2', 5, 60_000)).toMatchObject([{ id: a, attempts: 0 }]);
    });

    it('never hands one delivery to two concurrent claimers', async () => {
      const ids = await Promise.all(
        Array.from({ length: 30 }, (_, i) => addDelivery(store, `T${i}`)),
      );
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, w) => store.claimDue(`w${w}`, 7, 60_000)),
      );
      const claimed = claims.flat().map((d) => d.id);
      expect(new Set(claimed).size).toBe(claimed.length);
      const rest = await store.claimDue('last', 30, 60_000);
      expect([...claimed, ...rest.map((d) => d.id)].sort()).toEqual([...ids].sort());
    });

    it('answers the readiness ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
