import { readdir, readFile } from 'node:fs/promises';
import type pg from 'pg';

/** The numbered SQL files (`001_deliveries.sql`, …), copied next to the build output. */
export const POSTGRES_MIGRATIONS = new URL('./migrations/postgres/', import.meta.url);

/** Names the advisory lock all replicas take while migrating one database. */
const MIGRATION_LOCK = 'giftdeliveries:migrations';

/**
 * Brings a PostgreSQL database up to date: applies, in order, every numbered SQL file of `dir`
 * not yet recorded in `schema_migrations`, all in one transaction under a transaction-level
 * advisory lock. Replicas starting together queue on the lock; the first applies, the others then
 * find nothing to do. A failing file rolls everything back. Resolves with the files applied.
 *
 * @see https://www.postgresql.org/docs/15/explicit-locking.html#ADVISORY-LOCKS
 */
export async function migrate(pool: pg.Pool, dir: URL = POSTGRES_MIGRATIONS): Promise<string[]> {
  const files = (await readdir(dir)).filter((name) => /^\d+_[\w-]+\.sql$/.test(name)).sort();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ name: string }>('SELECT name FROM schema_migrations');
    const done = new Set(rows.map((row) => row.name));
    const applied: string[] = [];
    for (const name of files) {
      if (done.has(name)) continue;
      await client.query(await readFile(new URL(name, dir), 'utf8'));
      await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
      applied.push(name);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
