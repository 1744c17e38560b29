import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createClient, type Client, type InValue } from '@libsql/client';
import type { Delivery, DeliveryStatus, NewDelivery, Route } from '../domain.js';
import {
  IdempotencyConflictError,
  toDelivery,
  type CreateOptions,
  type DeliveryStore,
} from './delivery-store.js';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,
    destination TEXT NOT NULL,
    origin TEXT NOT NULL,
    gift TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'planned', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    last_error TEXT,
    failure_reason TEXT,
    route TEXT,
    client_id TEXT,
    idempotency_key TEXT,
    request_hash TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    planned_at INTEGER
  )`,
  `CREATE UNIQUE INDEX IF NOT EXISTS deliveries_idempotency
     ON deliveries (client_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_attempt_at)`,
  `CREATE INDEX IF NOT EXISTS deliveries_created ON deliveries (created_at)`,
];

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown; extendedCode?: unknown }).extendedCode ?? '';
  const base = (error as { code?: unknown }).code ?? '';
  return String(code).includes('CONSTRAINT') || String(base).includes('CONSTRAINT');
}

/**
 * The embedded {@link DeliveryStore}: one SQLite file under `DATA_DIR` (WAL mode, so readers never
 * wait for the worker's writes). One process at a time: claims are single `UPDATE … RETURNING`
 * statements, which SQLite runs one after another.
 */
export class SqliteDeliveryStore implements DeliveryStore {
  private constructor(private readonly db: Client) {}

  /** Opens (creating if needed) `<dataDir>/deliveries.db`, or `:memory:` for unit tests. */
  static async open(dataDir: string | ':memory:'): Promise<SqliteDeliveryStore> {
    let url = ':memory:';
    if (dataDir !== ':memory:') {
      const dir = resolve(dataDir);
      mkdirSync(dir, { recursive: true });
      url = pathToFileURL(resolve(dir, 'deliveries.db')).toString();
    }
    const db = createClient({ url });
    if (dataDir !== ':memory:') await db.execute('PRAGMA journal_mode = WAL');
    await db.execute('PRAGMA busy_timeout = 5000');
    for (const statement of SCHEMA) await db.execute(statement);
    return new SqliteDeliveryStore(db);
  }

  async create(
    input: NewDelivery,
    options: CreateOptions = {},
  ): Promise<{ delivery: Delivery; replayed: boolean }> {
    const { clientId, idempotencyKey, requestHash } = options;
    if (idempotencyKey) {
      const existing = await this.findByKey(clientId, idempotencyKey, requestHash);
      if (existing) return { delivery: existing, replayed: true };
    }
    const now = Date.now();
    const id = randomUUID();
    let rows: Record<string, unknown>[];
    try {
      ({ rows } = await this.db.execute({
        sql: `INSERT INTO deliveries (id, recipient, destination, origin, gift, status, attempts,
                next_attempt_at, client_id, idempotency_key, request_hash, created_at, updated_at)
              VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?, ?)
              RETURNING *`,
        args: [
          id,
          input.recipient,
          input.destination,
          input.origin,
          input.gift ?? null,
          now,
          clientId ?? null,
          idempotencyKey ?? null,
          requestHash ?? null,
          now,
          now,
        ],
      }));
    } catch (error) {
      // Two requests with the same key at once: the unique index let one in; answer as it did.
      if (idempotencyKey && isUniqueViolation(error)) {
        const existing = await this.findByKey(clientId, idempotencyKey, requestHash);
        if (existing) return { delivery: existing, replayed: true };
      }
      throw error;
    }
    return { delivery: toDelivery(rows[0]!), replayed: false };
  }

  private async findByKey(
    clientId: string | undefined,
    key: string,
    requestHash: string | undefined,
  ): Promise<Delivery | undefined> {
    const { rows } = await this.db.execute({
      sql: 'SELECT * FROM deliveries WHERE client_id IS ? AND idempotency_key = ?',
      args: [clientId ?? null, key],
    });
    const row = rows[0];
    if (!row) return undefined;
    if ((row.request_hash ?? null) !== (requestHash ?? null)) {
      throw new IdempotencyConflictError(String(row.id));
    }
    return toDelivery(row);
  }

  async get(id: string): Promise<Delivery | undefined> {
    const { rows } = await this.db.execute({
      sql: 'SELECT * FROM deliveries WHERE id = ?',
      args: [id],
    });
    return rows[0] ? toDelivery(rows[0]) : undefined;
  }

  async list(filter: { status?: DeliveryStatus; limit?: number } = {}): Promise<Delivery[]> {
    const args: InValue[] = [];
    let where = '';
    if (filter.status) {
      where = 'WHERE status = ?';
      args.push(filter.status);
    }
    args.push(filter.limit ?? 50);
    const { rows } = await this.db.execute({
      sql: `SELECT * FROM deliveries ${where} ORDER BY created_at DESC, rowid DESC LIMIT ?`,
      args,
    });
    return rows.map(toDelivery);
  }

  async count(): Promise<number> {
    const { rows } = await this.db.execute('SELECT COUNT(*) AS n FROM deliveries');
    return Number(rows[0]?.n ?? 0);
  }

  async claimDue(owner: string, limit: number, leaseMs: number): Promise<Delivery[]> {
    const now = Date.now();
    const { rows } = await this.db.execute({
      sql: `UPDATE deliveries SET lease_owner = ?, lease_until = ?, updated_at = ?
            WHERE id IN (
              SELECT id FROM deliveries
              WHERE status = 'pending' AND next_attempt_at <= ?
                AND (lease_until IS NULL OR lease_until <= ?)
              ORDER BY next_attempt_at, created_at LIMIT ?)
            RETURNING *`,
      args: [owner, now + leaseMs, now, now, now, limit],
    });
    return rows.map(toDelivery).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
  }

  async markPlanned(id: string, owner: string, route: Route): Promise<boolean> {
    const now = Date.now();
    const result = await this.db.execute({
      sql: `UPDATE deliveries SET status = 'planned', route = ?, attempts = attempts + 1,
              last_error = NULL, lease_owner = NULL, lease_until = NULL, planned_at = ?, updated_at = ?
            WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
      args: [JSON.stringify(route), now, now, id, owner],
    });
    return result.rowsAffected === 1;
  }

  async markFailed(id: string, owner: string, reason: string): Promise<boolean> {
    const now = Date.now();
    const result = await this.db.execute({
      sql: `UPDATE deliveries SET status = 'failed', failure_reason = ?, attempts = attempts + 1,
              lease_owner = NULL, lease_until = NULL, updated_at = ?
            WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
      args: [reason, now, id, owner],
    });
    return result.rowsAffected === 1;
  }

  async reschedule(
    id: string,
    owner: string,
    error: string,
    nextAttemptAt: number,
  ): Promise<boolean> {
    const now = Date.now();
    const result = await this.db.execute({
      sql: `UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
              lease_owner = NULL, lease_until = NULL, updated_at = ?
            WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
      args: [error, nextAttemptAt, now, id, owner],
    });
    return result.rowsAffected === 1;
  }

  async release(ids: readonly string[], owner: string): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.db.execute({
      sql: `UPDATE deliveries SET lease_owner = NULL, lease_until = NULL, updated_at = ?
            WHERE lease_owner = ? AND status = 'pending'
              AND id IN (${ids.map(() => '?').join(', ')})`,
      args: [Date.now(), owner, ...ids],
    });
    return result.rowsAffected;
  }

  async ping(): Promise<void> {
    await this.db.execute('SELECT 1');
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}
