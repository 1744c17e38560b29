/**
 * A child process of the real-routes phase: worldmappers-api's own geocode, reverse-geocode and
 * directions handlers over its real gazetteer and road network. PROTECTED=yes: the shipped app
 * itself (createApp of worldmappers-api: protectApi on /api, the scope on each route); otherwise
 * the same route handlers on the same base app with no protection. Prints `{"port":…,"control":…}`
 * once listening and the routing landmarks are ready. Configured by PROTECTED, ISSUER_BASE_URL,
 * AUDIENCE.
 */
import type { RequestHandler } from 'express';
import { createBaseApp, errorHandler, notFoundHandler } from '@repo/http';
import { createApp } from 'worldmappers-api/dist/app.js';
import { directionsRoutes } from 'worldmappers-api/dist/routes/directions.js';
import { locationRoutes } from 'worldmappers-api/dist/routes/location.js';
import { buildWorld } from 'worldmappers-api/dist/world/world.js';
import { benchLogger, serveForBench } from '../overhead/serve.js';

const logger = benchLogger();
const world = buildWorld();
await world.router.warmUp();

function unprotectedApp() {
  const app = createBaseApp(logger);
  const noScope = (): RequestHandler => (_req, _res, next) => next();
  app.use('/api', locationRoutes(world, noScope), directionsRoutes(world, noScope));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}

const app =
  process.env.PROTECTED === 'yes'
    ? createApp({
        logger,
        world,
        auth: {
          issuerBaseURL: process.env.ISSUER_BASE_URL ?? '',
          audience: process.env.AUDIENCE ?? '',
        },
      })
    : unprotectedApp();
await serveForBench(app);
