import express, { Router, type RequestHandler } from 'express';
import type { DeliveryAccepted, DeliveryList } from '@repo/contracts';
import { parseBody } from '@repo/http';
import { deliveryView, type DeliveriesService } from '../deliveries-service.js';

export interface DeliveriesRouterOptions {
  service: DeliveriesService;
  authenticate: RequestHandler;
  requireScopes(...scopes: string[]): RequestHandler;
  /** Per-client rate limit, after authentication (clientRateLimit of @repo/resource-server). */
  rateLimit?: RequestHandler;
}

/** Who is calling: the token's `client_id` (RFC 9068) or `sub`, set by the protection middleware. */
function callerOf(req: { auth?: { payload?: Record<string, unknown> } }): string | undefined {
  const payload = req.auth?.payload;
  const id = payload?.client_id ?? payload?.azp ?? payload?.sub;
  return typeof id === 'string' ? id : undefined;
}

/** `POST /deliveries`, `GET /deliveries/:id`, `GET /deliveries?status=`. */
export function deliveriesRouter({
  service,
  authenticate,
  requireScopes,
  rateLimit,
}: DeliveriesRouterOptions) {
  const router = Router();
  router.use(authenticate);
  if (rateLimit) router.use(rateLimit);

  // The body is read only once the caller has proven who it is and what it may do.
  const body = parseBody(express.json({ limit: '16kb' }));

  router.post('/', requireScopes('deliveries:write'), body, async (req, res) => {
    const key = req.get('Idempotency-Key');
    const { delivery, replayed } = await service.accept(req.body, callerOf(req), key);
    res
      .status(202)
      .location(`/deliveries/${delivery.id}`)
      .set(replayed ? { 'Idempotent-Replayed': 'true' } : {})
      .json({ id: delivery.id, status: delivery.status } satisfies DeliveryAccepted);
  });

  router.get('/', requireScopes('deliveries:read'), async (req, res) => {
    const deliveries = await service.list(req.query);
    res.json({ deliveries: deliveries.map(deliveryView) } satisfies DeliveryList);
  });

  router.get('/:id', requireScopes('deliveries:read'), async (req, res) => {
    res.json(deliveryView(await service.get(String(req.params.id))));
  });

  return router;
}
