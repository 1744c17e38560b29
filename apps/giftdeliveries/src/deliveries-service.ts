import { createHash } from 'node:crypto';
import { deliveryListQuerySchema, newDeliverySchema, type DeliveryView } from '@repo/contracts';
import type { z } from '@repo/config';
import { HttpError, invalidRequest, notFound } from '@repo/http';
import type { Delivery } from './domain.js';
import { IdempotencyConflictError, type DeliveryStore } from './store/delivery-store.js';

/** Parses caller input: the schemas' messages are written for callers, the first is the 400. */
function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidRequest(parsed.error.issues[0]!.message);
  return parsed.data;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The public view of a delivery (no lease bookkeeping, no idempotency key). */
export function deliveryView(delivery: Delivery): DeliveryView {
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
    createdAt: new Date(delivery.createdAt).toISOString(),
    updatedAt: new Date(delivery.updatedAt).toISOString(),
    plannedAt: iso(delivery.plannedAt),
  };
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
    const request = parseInput(newDeliverySchema, body);
    const input = { ...request, origin: request.origin ?? this.depot };
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

  /** `GET /deliveries?status=&limit=`; an unknown status or a bad limit is a 400. */
  async list(query: unknown): Promise<Delivery[]> {
    return this.store.list(parseInput(deliveryListQuerySchema, query));
  }
}
