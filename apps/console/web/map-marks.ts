/**
 * What the map draws for each delivery. A planned one has a route (its geometry, else a straight
 * line); pending and failed ones have no coordinates of their own (the destination was not, or
 * could not be, geocoded), so they are marked at their origin when a planned delivery from the
 * same origin tells where that is, side by side; else they appear in the list only. Pure.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type LngLat = [number, number];

export interface RouteMark {
  id: string;
  line: { type: 'LineString'; coordinates: LngLat[] };
  to: LngLat;
}

export interface WaitingMark {
  id: string;
  status: 'pending' | 'failed';
  /** Where it is drawn; undefined when no planned delivery tells where its origin is. */
  at?: LngLat;
  /** Its place among the marks at the same origin (0, 1, 2…), to draw them side by side. */
  slot: number;
  title: string;
}

export function deliveryMarks(
  deliveries: readonly Json[],
  /** How a title words the status (as it is, by default: `pending`, `failed`). */
  statusWord: (status: 'pending' | 'failed') => string = (status) => status,
): {
  routes: RouteMark[];
  waiting: WaitingMark[];
} {
  const routes: RouteMark[] = [];
  const origins = new Map<string, LngLat>();
  for (const delivery of deliveries) {
    const route = delivery.route;
    if (delivery.status !== 'planned' || !route?.from || !route?.to) continue;
    const from: LngLat = [route.from.lng, route.from.lat];
    const to: LngLat = [route.to.lng, route.to.lat];
    origins.set(String(delivery.origin ?? ''), from);
    routes.push({
      id: String(delivery.id),
      line:
        route.geometry?.type === 'LineString'
          ? route.geometry
          : { type: 'LineString', coordinates: [from, to] },
      to,
    });
  }
  const slots = new Map<string, number>();
  const waiting: WaitingMark[] = [];
  for (const delivery of deliveries) {
    if (delivery.status !== 'pending' && delivery.status !== 'failed') continue;
    const origin = String(delivery.origin ?? '');
    const slot = slots.get(origin) ?? 0;
    slots.set(origin, slot + 1);
    const at = origins.get(origin);
    waiting.push({
      id: String(delivery.id),
      status: delivery.status,
      ...(at ? { at } : {}),
      slot,
      title: `${delivery.recipient} — ${delivery.destination}: ${statusWord(delivery.status)}${delivery.failureReason ? ` (${delivery.failureReason})` : delivery.lastError ? ` (${delivery.lastError})` : ''}`,
    });
  }
  return { routes, waiting };
}
