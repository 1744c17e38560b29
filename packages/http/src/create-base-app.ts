import express, { type Express } from 'express';
import helmet from 'helmet';
import { requestLogger, type Logger } from '@repo/logger';

/**
 * An Express app with what every service here wants first: no `X-Powered-By`, security headers
 * for an API (no CSP/HSTS surprises on localhost), request ids and one log line per request.
 */
export function createBaseApp(logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      hsts: false,
    }),
  );
  app.use(requestLogger(logger));
  return app;
}
