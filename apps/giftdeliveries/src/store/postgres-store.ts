import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Delivery, DeliveryStatus, NewDelivery, Route } from '../domain.js';
import {
  IdempotencyConflictError,
  StoreUnavailableError,
  toDelivery,
  type CreateOptions,
  type DeliveryStore,
} from './delivery-store.js';
import { migrate } from './migrate.js';

/** A SQLSTATE that means "the server is gone or going", not "this statement is wrong". */
const CONNECTION_STATE = /^(08|57P)/;

/** Whether a failed query is worth retrying later: no connection, or the server shutting down. */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
  return !sqlState || CONNECTION_STATE.test(code);
}

export interface PostgresStoreOptions {
  /** Connections per replica. Default 10. */
  maxConnections?: number;
  /** Errors of idle connections (a server restart); the pool replaces them by itself. */
  onConnectionError?: (error: Error) => void;
}

/**
 * The {@link DeliveryStore} of the distributed mode (`DATABASE_URL`): one PostgreSQL database
 * shared by every replica. Claims are `FOR UPDATE SKIP LOCKED` (replicas never wait for each
 * other's rows) with a lease; each outcome is one `UPDATE … WHERE lease_owner = $owner`, so the
 * check that the claim is still ours and the write are one atomic statement. The pool reconnects
 * by itself after a server restart; meanwhile calls fail with {@link StoreUnavailableError}.
 */
export class PostgresDeliveryStore implements DeliveryStore {
  private constructor(private readonly pool: pg.Pool) {}

  /** Connects and migrates the schema (see {@link migrate}); rejects when the server is away. */
  static async open(
    connectionString: string,
    options: PostgresStoreOptions = {},
  ): Promise<PostgresDeliveryStore> {
    const pool = new pg.Pool({
      connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    });
    // Without a listener, an idle connection cut by a server restart would crash the process.
    pool.on('error', options.onConnectionError ?? (() => undefined));
    try {
      await migrate(pool);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresDeliveryStore(pool);
  }

  private async query(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
    try {
      return await this.pool.query(sql, params);
    } catch (error) {
      throw isConnectionError(error) ? new StoreUnavailableError(error) : error;
    }
  }

  async create(
    input: NewDelivery,
    options: CreateOptions = {},
  ): Promise<{ delivery: Delivery; replayed: boolean }> {
    const { clientId, idempotencyKey, requestHash } = options;
    const now = new Date();
    // The unique index decides between concurrent duplicates on any replica: the loser inserts
    // nothing (it waits for the winner's commit) and answers with the winner's delivery.
    const { rows } = await this.query(
      `INSERT INTO deliveries (id, recipient, destination, origin, gift, status, attempts,
         next_attempt_at, client_id, idempotency_key, request_hash, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7, $8, $9, $6, $6)
       ON CONFLICT (client_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING *`,
      [
        randomUUID(),
        input.recipient,
        input.destination,
        input.origin,
        input.gift ?? null,
        now,
        clientId ?? null,
        idempotencyKey ?? null,
        requestHash ?? null,
      ],
    );
    if (rows[0]) return { delivery: toDelivery(rows[0]), replayed: false };
    const { rows: existing } = await this.query(
      'SELECT * FROM deliveries WHERE client_id IS NOT DISTINCT FROM $1 AND idempotency_key = $2',
      [clientId ?? null, idempotencyKey],
    );
    const row = existing[0]!;
    if ((row.request_hash ?? null) !== (requestHash ?? null)) {
      throw new IdempotencyConflictError(String(row.id));
    }
    return { delivery: toDelivery(row), replayed: true };
  }

  async get(id: string): Promise<Delivery | undefined> {
    const { rows } = await this.query('SELECT * FROM deliveries WHERE id = $1', [id]);
    return rows[0] ? toDelivery(rows[0]) : undefined;
  }

  async list(filter: { status?: DeliveryStatus; limit?: number } = {}): Promise<Delivery[]> {
    const limit = filter.limit ?? 50;
    const { rows } = filter.status
      ? await this.query(
          'SELECT * FROM deliveries WHERE status = $1 ORDER BY created_at DESC, seq DESC LIMIT $2',
          [filter.status, limit],
        )
      : await this.query('SELECT * FROM deliveries ORDER BY created_at DESC, seq DESC LIMIT $1', [
          limit,
        ]);
    return rows.map(toDelivery);
  }

  async count(): Promise<number> {
    const { rows } = await this.query('SELECT count(*)::int AS n FROM deliveries');
    return Number(rows[0]?.n ?? 0);
  }

  async claimDue(owner: string, limit: number, leaseMs: number): Promise<Delivery[]> {
    const now = Date.now();
    // The CTE locks the rows it picks (skipping rows another replica is claiming right now) and
    // is evaluated once; a row claimed and committed meanwhile is re-checked and left out.
    const { rows } = await this.query(
      `WITH due AS (
         SELECT id FROM deliveries
         WHERE status = 'pending' AND next_attempt_at <= $3
           AND (lease_until IS NULL OR lease_until <= $3)
         ORDER BY next_attempt_at, seq LIMIT $4
         FOR UPDATE SKIP LOCKED)
       UPDATE deliveries AS d SET lease_owner = $1, lease_until = $2, updated_at = $3
       FROM due WHERE d.id = due.id
       RETURNING d.*`,
      [owner, new Date(now + leaseMs), new Date(now), limit],
    );
    return rows.map(toDelivery).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
  }

  async markPlanned(id: string, owner: string, route: Route): Promise<boolean> {
    const result = await this.query(
      `UPDATE deliveries SET status = 'planned', route = $1, attempts = attempts + 1,
         last_error = NULL, lease_owner = NULL, lease_until = NULL, outcome_owner = $4,
         planned_at = $2, updated_at = $2
       WHERE id = $3 AND lease_owner = $4 AND status = 'pending'`,
      [JSON.stringify(route), new Date(), id, owner],
    );
    return result.rowCount === 1;
  }

  async markFailed(id: string, owner: string, reason: string): Promise<boolean> {
    const result = await this.query(
      `UPDATE deliveries SET status = 'failed', failure_reason = $1, attempts = attempts + 1,
         lease_owner = NULL, lease_until = NULL, outcome_owner = $4, updated_at = $2
       WHERE id = $3 AND lease_owner = $4 AND status = 'pending'`,
      [reason, new Date(), id, owner],
    );
    return result.rowCount === 1;
  }

  async reschedule(
    id: string,
    owner: string,
    error: string,
    nextAttemptAt: number,
  ): Promise<boolean> {
    const result = await this.query(
      `UPDATE deliveries SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2,
         lease_owner = NULL, lease_until = NULL, updated_at = $3
       WHERE id = $4 AND lease_owner = $5 AND status = 'pending'`,
      [error, new Date(nextAttemptAt), new Date(), id, owner],
    );
    return result.rowCount === 1;
  }

  async release(ids: readonly string[], owner: string): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.query(
      `UPDATE deliveries SET lease_owner = NULL, lease_until = NULL, updated_at = $1
       WHERE lease_owner = $2 AND status = 'pending' AND id = ANY($3::text[])`,
      [new Date(), owner, ids],
    );
    return result.rowCount ?? 0;
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
