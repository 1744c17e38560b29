import type { Express } from 'express';
import { createBaseApp, errorHandler, notFoundHandler } from '@repo/http';
import type { Logger } from '@repo/logger';

export interface AppDeps {
  logger: Logger;
}

/** The giftdeliveries HTTP app; never listens by itself. */
export function createApp({ logger }: AppDeps): Express {
  const app = createBaseApp(logger);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
