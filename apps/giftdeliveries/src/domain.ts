/**
 * The delivery domain: what a delivery is and where it is in its life. The parts callers see
 * (statuses, the planned route) are the API's contract, from @repo/contracts; the rest is this
 * service's own bookkeeping.
 */
import type { DeliveryStatus, Route } from '@repo/contracts';

export {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  type Route,
  type RoutePlace,
  type RouteStep,
} from '@repo/contracts';

/** A delivery to plan: the request, with the origin resolved (the depot when not given). */
export interface NewDelivery {
  recipient: string;
  destination: string;
  origin: string;
  gift?: string | undefined;
}

/** A delivery as the store keeps it. `pending` includes "being planned right now" (a claim). */
export interface Delivery extends NewDelivery {
  id: string;
  status: DeliveryStatus;
  /** Planning attempts that ended in a transient failure or a result. */
  attempts: number;
  /** Epoch ms; when a pending delivery may be tried next. */
  nextAttemptAt: number;
  lastError?: string;
  failureReason?: string;
  route?: Route;
  clientId?: string;
  createdAt: number;
  updatedAt: number;
  plannedAt?: number;
}
