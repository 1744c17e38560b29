import type { Express, RequestHandler } from 'express';
import {
  createBaseApp,
  errorHandler,
  notFoundHandler,
  readinessHandler,
  type ReadinessCheck,
} from '@repo/http';
import { landingPage, type AuditEvents } from '@repo/audit-events';
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
  /** Its audit events at `GET /events`, and the console's address for the landing page. */
  events?: AuditEvents;
  consoleUrl?: string;
  /** Requests per second each client may make (`API_RATE_LIMIT`); 0 or absent: no limit. */
  apiRateLimit?: number;
}

/** The giftdeliveries HTTP app; never listens by itself. */
export function createApp(deps: AppDeps): Express {
  const { logger, deliveries, protection, readiness, events, apiRateLimit = 0 } = deps;
  const app = createBaseApp(logger);
  if (events) app.use(events.recorder, events.routes(protection));
  app.get(
    '/',
    landingPage({
      name: 'giftdeliveries',
      description:
        'The delivery service of the demo: an OAuth 2.0 client of worldmappers-api (client credentials) that plans gift deliveries, and a protected API of its own (/deliveries).',
      consoleUrl: deps.consoleUrl ?? 'http://localhost:7003',
    }),
  );
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
