import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteDeliveryStore } from '../../src/store/sqlite-store.js';
import { addDelivery, describeDeliveryStore } from './delivery-store-contract.js';

describeDeliveryStore('SQLite', () => SqliteDeliveryStore.open(':memory:'));

describe('SqliteDeliveryStore', () => {
  it('keeps deliveries across reopening the database file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'giftdeliveries-'));
    const first = await SqliteDeliveryStore.open(dir);
    const id = await addDelivery(first, 'Paris');
    await first.close();
    const second = await SqliteDeliveryStore.open(dir);
    try {
      expect(await second.get(id)).toMatchObject({ status: 'pending', destination: 'Paris' });
    } finally {
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
