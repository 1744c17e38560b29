import { z } from 'zod';
import { lineStringSchema, placeSchema, travelModeSchema } from './worldmappers.js';

/**
 * Control characters no delivery text may hold: C0 (NUL among them, tab and newlines too), DEL,
 * C1, and the line and paragraph separators U+2028/U+2029. A NUL would be stored whole and read
 * back cut; the others rewrite terminals and log lines.
 */
// \p{Cc} is exactly C0, DEL and C1.
const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029]/u;

/** A trimmed text field of the POST body, whose messages name the field. */
function field(name: string, max: number) {
  return z
    .string({
      error: (issue) => (issue.input == null ? `${name} is required.` : `${name} must be a text.`),
    })
    .refine((text) => !CONTROL_CHARACTERS.test(text), {
      error: `${name} must not contain control characters.`,
      abort: true,
    })
    .trim()
    .min(1, `${name} must not be empty.`)
    .max(max, `${name} must be at most ${max} characters.`);
}

/**
 * The body of `POST /deliveries`. Unknown fields are refused so typos do not pass silently; each
 * issue's message is the `error_description` the API answers with.
 */
export const newDeliverySchema = z.strictObject(
  {
    /** Who receives the gift. */
    recipient: field('recipient', 100),
    /** Place text, as worldmappers-api geocodes it ("Kyoto, JP"). */
    destination: field('destination', 200),
    /** Place text; the service's depot when absent. */
    origin: field('origin', 200).optional(),
    gift: field('gift', 200).optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `Unknown field(s): ${issue.keys.join(', ')}.`
        : 'The request body must be a JSON object.',
  },
);

/** A delivery as a client asks for it. */
export type NewDeliveryRequest = z.infer<typeof newDeliverySchema>;

/** Where a delivery is in its life: `pending → planned` or `pending → failed`. */
export const deliveryStatusSchema = z.enum(['pending', 'planned', 'failed']);

/** `pending` (includes "being planned right now"), `planned` or `failed`. */
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;

/** Every status, in life order. */
export const DELIVERY_STATUSES = deliveryStatusSchema.options;

const LIMIT = 'limit must be an integer from 1 to 200.';

/** The query of `GET /deliveries`: `?status=` and `?limit=` (1 to 200, default 50). */
export const deliveryListQuerySchema = z.object({
  /** Only deliveries in this status. */
  status: z
    .enum(DELIVERY_STATUSES, {
      error: `status must be one of ${DELIVERY_STATUSES.join(', ')}.`,
    })
    .optional(),
  /** How many deliveries, newest first. */
  limit: z
    .string({ error: LIMIT })
    .regex(/^\d+$/, LIMIT)
    .transform(Number)
    .pipe(z.int().min(1, LIMIT).max(200, LIMIT))
    .default(50),
});

/** What `GET /deliveries` filters by, parsed. */
export type DeliveryListQuery = z.infer<typeof deliveryListQuerySchema>;

/** A place of a planned route: the fields of a worldmappers-api place a delivery keeps. */
export const routePlaceSchema = placeSchema.pick({
  name: true,
  country: true,
  lat: true,
  lng: true,
});

/** A route's end. */
export type RoutePlace = z.infer<typeof routePlaceSchema>;

/** A step of a planned route. */
export const routeStepSchema = z.strictObject({
  action: z.string().min(1),
  distanceKm: z.number().nonnegative(),
  durationMinutes: z.number().nonnegative(),
});

/** A step of a route ("Head south to Oulu"). */
export type RouteStep = z.infer<typeof routeStepSchema>;

/** What planning stores and shows: a summary, the steps, and the line when it is small. */
export const routeSchema = z.strictObject({
  mode: travelModeSchema,
  from: routePlaceSchema,
  to: routePlaceSchema,
  distanceKm: z.number().nonnegative(),
  durationMinutes: z.number().nonnegative(),
  steps: z.array(routeStepSchema),
  /** The route's line, absent when it has too many points to store. */
  geometry: lineStringSchema.optional(),
});

/** A planned route. */
export type Route = z.infer<typeof routeSchema>;

/** The answer of `POST /deliveries` (202): the delivery's id and status (`pending` when new). */
export const deliveryAcceptedSchema = z.strictObject({
  id: z.string().min(1),
  /** `pending` for a new delivery; a replay (same Idempotency-Key) tells the current status. */
  status: deliveryStatusSchema,
});

/** A delivery just accepted. */
export type DeliveryAccepted = z.infer<typeof deliveryAcceptedSchema>;

const timestamp = z.iso.datetime();

/**
 * The public view of a delivery, `GET /deliveries/:id` (no lease bookkeeping, no idempotency
 * key). Times are ISO 8601 in UTC.
 */
export const deliveryViewSchema = z.strictObject({
  id: z.string().min(1),
  status: deliveryStatusSchema,
  recipient: z.string(),
  destination: z.string(),
  origin: z.string(),
  gift: z.string().optional(),
  /** Planning attempts that ended in a transient failure or a result. */
  attempts: z.int().nonnegative(),
  /** When a pending delivery is tried next. */
  nextAttemptAt: timestamp.optional(),
  /** Why the last attempt of a pending delivery did not finish (it will be retried). */
  lastError: z.string().optional(),
  /** Why a failed delivery failed for good. */
  failureReason: z.string().optional(),
  /** The plan of a planned delivery. */
  route: routeSchema.optional(),
  createdAt: timestamp,
  updatedAt: timestamp,
  plannedAt: timestamp.optional(),
});

/** A delivery as the API shows it. */
export type DeliveryView = z.infer<typeof deliveryViewSchema>;

/** The answer of `GET /deliveries`: newest first. */
export const deliveryListSchema = z.strictObject({
  deliveries: z.array(deliveryViewSchema),
});

/** A list of deliveries. */
export type DeliveryList = z.infer<typeof deliveryListSchema>;
