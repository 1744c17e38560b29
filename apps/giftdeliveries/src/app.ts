import type { Express, RequestHandler } from 'express';
import { createBaseApp, errorHandler, notFoundHandler } from '@repo/http';
import type { Logger } from '@repo/logger';
import type { DeliveriesService } from './deliveries-service.js';
import { deliveriesRouter } from './routes/deliveries.js';

/** A readiness check: `ready` and, when not, why. */
export type ReadinessProbe = () => Promise<{ ready: boolean }>;

export interface AppDeps {
  logger: Logger;
  deliveries: DeliveriesService;
  /** From `protectApi` of @repo/auth (shared with worldmappers-api). */
  protection: {
    authenticate: RequestHandler;
    requireScopes(...scopes: string[]): RequestHandler;
  };
  /** Each must be ready for `GET /readyz` to answer 200. */
  readiness: Record<string, ReadinessProbe>;
}

/** The giftdeliveries HTTP app; never listens by itself. */
export function createApp({ logger, deliveries, protection, readiness }: AppDeps): Express {
  const app = createBaseApp(logger);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const entries = await Promise.all(
      Object.entries(readiness).map(async ([name, probe]) => {
        try {
          return [name, await probe()] as const;
        } catch (error) {
          return [name, { ready: false, reason: (error as Error).message }] as const;
        }
      }),
    );
    const ready = entries.every(([, result]) => result.ready);
    res.status(ready ? 200 : 503).json({ ready, checks: Object.fromEntries(entries) });
  });
  app.use('/deliveries', deliveriesRouter({ service: deliveries, ...protection }));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
