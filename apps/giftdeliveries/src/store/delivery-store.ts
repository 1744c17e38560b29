import { HttpError } from '@repo/http';
import type { Delivery, DeliveryStatus, NewDelivery, Route } from '../domain.js';

/** The same `Idempotency-Key` came back with a different request. */
export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
  constructor(readonly deliveryId: string) {
    super('Idempotency-Key already used with a different request body');
  }
}

/**
 * The database cannot be reached right now (PostgreSQL restarting). Callers get 503
 * `temporarily_unavailable` with `Retry-After` instead of a 500: nothing is wrong with their request.
 */
export class StoreUnavailableError extends HttpError {
  override name = 'StoreUnavailableError';
  constructor(cause: unknown) {
    super(
      503,
      'temporarily_unavailable',
      'The deliveries database is unavailable; retry shortly.',
      {
        expose: true,
        headers: { 'Retry-After': '1' },
        cause,
      },
    );
  }
}

export interface CreateOptions {
  clientId?: string | undefined;
  idempotencyKey?: string | undefined;
  /** A hash of the request, compared when the key comes back. */
  requestHash?: string | undefined;
}

/**
 * The durable queue and record of deliveries. Two implementations keep the same contract
 * (test/store/delivery-store-contract.ts runs against both): `SqliteDeliveryStore`, the embedded
 * default, and `PostgresDeliveryStore` when `DATABASE_URL` is set.
 *
 * A claim has an owner and a lease: `claimDue` hands out due pending deliveries, each to one
 * owner until its lease ends; an outcome (`markPlanned`, `markFailed`, `reschedule`) is written in
 * one statement that also checks the claim is still the caller's, so a former owner's late answer
 * never counts and no outcome is written twice. Times are epoch ms from `Date.now()`.
 */
export interface DeliveryStore {
  /**
   * Records a new pending delivery, due at once; resolves once it is committed. With an
   * idempotency key already used by the same client, returns the first delivery (`replayed`) if
   * the request is the same, and throws {@link IdempotencyConflictError} if it is not.
   */
  create(
    input: NewDelivery,
    options?: CreateOptions,
  ): Promise<{ delivery: Delivery; replayed: boolean }>;
  get(id: string): Promise<Delivery | undefined>;
  /** Newest first; 50 by default. */
  list(filter?: { status?: DeliveryStatus; limit?: number }): Promise<Delivery[]>;
  count(): Promise<number>;
  /**
   * Claims up to `limit` due pending deliveries for `owner` until `leaseMs` from now, oldest due
   * first. A delivery whose lease has expired is claimable again: that is how a crashed worker's
   * work comes back.
   */
  claimDue(owner: string, limit: number, leaseMs: number): Promise<Delivery[]>;
  /** Marks a claimed delivery planned; false if the claim was lost (then someone else has it). */
  markPlanned(id: string, owner: string, route: Route): Promise<boolean>;
  /** Marks a claimed delivery failed for good, with the reason; false if the claim was lost. */
  markFailed(id: string, owner: string, reason: string): Promise<boolean>;
  /** Keeps a claimed delivery pending after a transient failure, to be tried at `nextAttemptAt`. */
  reschedule(id: string, owner: string, error: string, nextAttemptAt: number): Promise<boolean>;
  /** Gives claims back untouched (shutdown): due again at once, no attempt counted. */
  release(ids: readonly string[], owner: string): Promise<number>;
  /** A cheap query for readiness; throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Epoch ms from an INTEGER (SQLite), a BIGINT as text or a TIMESTAMPTZ (PostgreSQL). */
const ms = (value: unknown): number | undefined => {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') {
    return Number(value);
  }
  return undefined;
};

/** One row of either database as a {@link Delivery}; column names are the same in both. */
export function toDelivery(row: Record<string, unknown>): Delivery {
  const route = row.route;
  return {
    id: String(row.id),
    recipient: String(row.recipient),
    destination: String(row.destination),
    origin: String(row.origin),
    gift: str(row.gift),
    status: String(row.status) as DeliveryStatus,
    attempts: ms(row.attempts) ?? 0,
    nextAttemptAt: ms(row.next_attempt_at) ?? 0,
    lastError: str(row.last_error),
    failureReason: str(row.failure_reason),
    route:
      typeof route === 'string'
        ? (JSON.parse(route) as Route)
        : ((route ?? undefined) as Route | undefined),
    clientId: str(row.client_id),
    createdAt: ms(row.created_at) ?? 0,
    updatedAt: ms(row.updated_at) ?? 0,
    plannedAt: ms(row.planned_at),
  };
}
