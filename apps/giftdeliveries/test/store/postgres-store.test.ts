import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTcpProxy, type TestDatabase } from '@repo/testkit';
import { StoreUnavailableError } from '../../src/store/delivery-store.js';
import { PostgresDeliveryStore } from '../../src/store/postgres-store.js';
import { addDelivery, describeDeliveryStore, route } from './delivery-store-contract.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

describeDeliveryStore('PostgreSQL', async () => {
  const store = await PostgresDeliveryStore.open(database.url);
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query('TRUNCATE deliveries');
  await admin.end();
  return store;
});

describe('PostgresDeliveryStore', () => {
  it('migrates a fresh database once when replicas start together, and again finds nothing to do', async () => {
    const fresh = await createTestDatabase();
    try {
      const stores = await Promise.all(
        Array.from({ length: 3 }, () => PostgresDeliveryStore.open(fresh.url)),
      );
      await Promise.all(stores.map((store) => store.close()));
      const reopened = await PostgresDeliveryStore.open(fresh.url);
      await reopened.close();
      const admin = new pg.Client({ connectionString: fresh.url });
      await admin.connect();
      const { rows } = await admin.query('SELECT name FROM schema_migrations ORDER BY name');
      await admin.end();
      expect(rows).toEqual([{ name: '001_deliveries.sql' }]);
    } finally {
      await fresh.drop();
    }
  });

  it('records which claim owner wrote each outcome, for audits across replicas', async () => {
    const store = await PostgresDeliveryStore.open(database.url);
    try {
      const planned = await addDelivery(store, 'Oulu');
      const failed = await addDelivery(store, 'Atlantis');
      await store.claimDue('gd-1:aaaa', 1, 60_000);
      await store.claimDue('gd-2:bbbb', 1, 60_000);
      await store.markPlanned(planned, 'gd-1:aaaa', route('Oulu'));
      await store.markFailed(failed, 'gd-2:bbbb', 'unknown place');
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      const { rows } = await admin.query(
        'SELECT id, outcome_owner, lease_owner FROM deliveries WHERE id = ANY($1) ORDER BY seq',
        [[planned, failed]],
      );
      await admin.end();
      expect(rows).toEqual([
        { id: planned, outcome_owner: 'gd-1:aaaa', lease_owner: null },
        { id: failed, outcome_owner: 'gd-2:bbbb', lease_owner: null },
      ]);
    } finally {
      await store.close();
    }
  });

  it('fails with StoreUnavailableError while the server is away, and works again once it is back', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const url = new URL(database.url);
    url.port = String(proxy.port);
    const store = await PostgresDeliveryStore.open(url.toString());
    try {
      const id = await addDelivery(store, 'Oulu');
      await proxy.cut();
      const error = await store.ping().catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error).toMatchObject({
        status: 503,
        code: 'temporarily_unavailable',
        headers: { 'Retry-After': '1' },
      });
      await expect(store.get(id)).rejects.toBeInstanceOf(StoreUnavailableError);
      await proxy.restore();
      expect(await store.get(id)).toMatchObject({ id, status: 'pending' });
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  it('rejects opening when no server answers', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    await proxy.cut();
    const url = new URL(database.url);
    url.port = String(proxy.port);
    await expect(PostgresDeliveryStore.open(url.toString())).rejects.toThrow(/ECONNREFUSED/);
  });
});
