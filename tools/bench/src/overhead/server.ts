/**
 * A child process of the overhead phase: the cheap route served one way (VARIANT), as a service
 * runs one configuration: no variant shares its JIT state or heap with another. Prints one JSON
 * line `{"port":…,"control":…}` when listening. Configured by VARIANT, SERVE_WITH,
 * ISSUER_BASE_URL, AUDIENCE.
 */
import express, { type RequestHandler } from 'express';
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer';
import { createBaseApp, errorHandler, notFoundHandler } from '@repo/http';
import { protectApi, type VerificationCache } from '@repo/resource-server';
import { benchLogger, serveForBench } from './serve.js';
import { SCOPE, SERVE_WITH, VARIANTS, type ServeWith, type Variant } from './variants.js';

const issuerBaseURL = process.env.ISSUER_BASE_URL ?? '';
const audience = process.env.AUDIENCE ?? '';
const variant = process.env.VARIANT as Variant;
if (!VARIANTS.includes(variant)) throw new Error(`VARIANT must be one of ${VARIANTS.join(', ')}`);
const serveWith = (process.env.SERVE_WITH ?? 'app-server') as ServeWith;
if (!SERVE_WITH.includes(serveWith)) {
  throw new Error(`SERVE_WITH must be one of ${SERVE_WITH.join(', ')}`);
}

const logger = benchLogger();

let shippedCache: VerificationCache | undefined;

function guards(variant: Variant): { authenticate?: RequestHandler; scope?: RequestHandler } {
  switch (variant) {
    case 'unprotected':
      return {};
    case 'library-default':
      // express-oauth2-jwt-bearer as its README shows it: auth() + requiredScopes().
      return { authenticate: auth({ issuerBaseURL, audience }), scope: requiredScopes(SCOPE) };
    case 'shipped-no-cache': {
      const api = protectApi({ issuerBaseURL, audience, logger, verificationCache: false });
      return { authenticate: api.authenticate, scope: api.requireScopes(SCOPE) };
    }
    case 'shipped': {
      const api = protectApi({ issuerBaseURL, audience, logger });
      shippedCache = api.verificationCache;
      return { authenticate: api.authenticate, scope: api.requireScopes(SCOPE) };
    }
  }
}

function appFor(variant: Variant): express.Express {
  const app = createBaseApp(logger);
  const { authenticate, scope } = guards(variant);
  const router = express.Router();
  const handler: RequestHandler = (req, res) => {
    res.json({ status: 'ok', client: req.auth?.payload.client_id ?? null });
  };
  // Mounted like worldmappers-api's routes: authenticate on /api, the scope on the route.
  if (scope) router.get('/location/status', scope, handler);
  else router.get('/location/status', handler);
  if (authenticate) app.use('/api', authenticate, router);
  else app.use('/api', router);
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}

// Served as the services serve their apps (runServer of @repo/http), or as Express alone would.
await serveForBench(appFor(variant), serveWith, () => shippedCache?.stats());
