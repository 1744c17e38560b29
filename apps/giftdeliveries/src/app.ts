import type { Express, RequestHandler } from 'express';
import {
  createBaseApp,
  errorHandler,
  notFoundHandler,
  readinessHandler,
  type ReadinessCheck,
} from '@repo/http';
import type { Logger } from '@repo/logger';
import { clientRateLimit } from '@repo/resource-server';
import type { DeliveriesService } from './deliveries-service.js';
import { deliveriesRouter } from './routes/deliveries.js';

export interface AppDeps {
  logger: Logger;
  deliveries: DeliveriesService;
  /** From `protectApi` of @repo/resource-server (shared with worldmappers-api). */
  protection: {
    authenticate: RequestHandler;
    requireScopes(...scopes: string[]): RequestHandler;
  };
  /** Each must be ready for `GET /readyz` to answer 200. */
  readiness: Record<string, ReadinessCheck>;
  /** Requests per second each client may make (`API_RATE_LIMIT`); 0 or absent: no limit. */
  apiRateLimit?: number;
}

/** The giftdeliveries HTTP app; never listens by itself. */
export function createApp({
  logger,
  deliveries,
  protection,
  readiness,
  apiRateLimit = 0,
}: AppDeps): Express {
  const app = createBaseApp(logger);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', readinessHandler(readiness));
  app.use(
    '/deliveries',
    deliveriesRouter({
      service: deliveries,
      ...protection,
      rateLimit: clientRateLimit({ requestsPerSecond: apiRateLimit }),
    }),
  );
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
