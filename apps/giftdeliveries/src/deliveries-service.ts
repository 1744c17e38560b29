import { createHash } from 'node:crypto';
import { z } from '@repo/config';
import { HttpError, invalidRequest, notFound } from '@repo/http';
import {
  DELIVERY_STATUSES,
  IdempotencyConflictError,
  type Delivery,
  type DeliveryStatus,
  type DeliveryStore,
} from './store/delivery-store.js';

const text = (max: number) => z.string().trim().min(1).max(max);

/** The body of `POST /deliveries`. Unknown fields are refused so typos do not pass silently. */
export const newDeliverySchema = z.strictObject({
  recipient: text(100),
  destination: text(200),
  origin: text(200).optional(),
  gift: text(200).optional(),
});

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The public view of a delivery (no lease bookkeeping, no idempotency key). */
export function deliveryView(delivery: Delivery) {
  const iso = (ms: number | undefined) =>
    ms === undefined ? undefined : new Date(ms).toISOString();
  return {
    id: delivery.id,
    status: delivery.status,
    recipient: delivery.recipient,
    destination: delivery.destination,
    origin: delivery.origin,
    gift: delivery.gift,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.status === 'pending' ? iso(delivery.nextAttemptAt) : undefined,
    lastError: delivery.status === 'pending' ? delivery.lastError : undefined,
    failureReason: delivery.failureReason,
    route: delivery.route,
    createdAt: iso(delivery.createdAt),
    updatedAt: iso(delivery.updatedAt),
    plannedAt: iso(delivery.plannedAt),
  };
}

function firstIssue(error: z.ZodError, body: unknown): string {
  const issue = error.issues[0];
  if (!issue) return 'The request body is invalid.';
  if (issue.code === 'unrecognized_keys') return `Unknown field(s): ${issue.keys.join(', ')}.`;
  const field = issue.path.join('.');
  if (!field) return 'The request body must be a JSON object.';
  const given = (body as Record<string, unknown>)[field];
  if (given === undefined || given === null) return `${field} is required.`;
  if (issue.code === 'too_small') return `${field} must not be empty.`;
  if (issue.code === 'too_big')
    return `${field} must be at most ${String(issue.maximum)} characters.`;
  return `${field} must be a text.`;
}

/** The rules of the deliveries API, between the thin routes and the store. */
export class DeliveriesService {
  constructor(
    private readonly store: DeliveryStore,
    private readonly depot: string,
    /** Called after a delivery is committed, to start planning at once. */
    private readonly onAccepted: () => void = () => undefined,
  ) {}

  /**
   * Validates and records a delivery. Resolves only once the row is committed. With an
   * `Idempotency-Key`, a repeat of the same request returns the first delivery (`replayed`); the
   * same key with another body is a 422.
   */
  async accept(body: unknown, clientId: string | undefined, idempotencyKey: string | undefined) {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw invalidRequest('Idempotency-Key must be 1 to 255 visible ASCII characters.');
    }
    const parsed = newDeliverySchema.safeParse(body ?? undefined);
    if (!parsed.success) throw invalidRequest(firstIssue(parsed.error, body));
    const input = { ...parsed.data, origin: parsed.data.origin ?? this.depot };
    const requestHash = createHash('sha256')
      .update(
        JSON.stringify([input.recipient, input.destination, input.origin, input.gift ?? null]),
      )
      .digest('hex');
    try {
      const result = await this.store.create(input, { clientId, idempotencyKey, requestHash });
      if (!result.replayed) this.onAccepted();
      return result;
    } catch (error) {
      if (error instanceof IdempotencyConflictError) {
        throw new HttpError(
          422,
          'idempotency_key_reused',
          `This Idempotency-Key was already used for delivery ${error.deliveryId} with a different request body; use a new key for a new delivery.`,
        );
      }
      throw error;
    }
  }

  async get(id: string): Promise<Delivery> {
    const delivery = await this.store.get(id);
    if (!delivery) throw notFound(`No delivery ${id}.`);
    return delivery;
  }

  async list(query: { status?: unknown; limit?: unknown }): Promise<Delivery[]> {
    let status: DeliveryStatus | undefined;
    if (query.status !== undefined) {
      if (!DELIVERY_STATUSES.includes(query.status as DeliveryStatus)) {
        throw invalidRequest(`status must be one of ${DELIVERY_STATUSES.join(', ')}.`);
      }
      status = query.status as DeliveryStatus;
    }
    let limit = 50;
    if (query.limit !== undefined) {
      limit = Number(query.limit);
      if (!/^\d+$/.test(String(query.limit)) || limit < 1 || limit > 200) {
        throw invalidRequest('limit must be an integer from 1 to 200.');
      }
    }
    return this.store.list({ status, limit });
  }
}
