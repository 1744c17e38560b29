/**
 * A child process of the real-routes phase: worldmappers-api's own geocode, reverse-geocode and
 * directions handlers over its real gazetteer and road network, served twice over one world:
 * first (`ports[0]`) the same route handlers on the same base app with no protection, then
 * (`ports[1]`) the shipped app itself (createApp of worldmappers-api: protectApi on /api, the
 * scope on each route). One process for both, so that a process's speed (on a virtual machine
 * one can run at half the speed of the next for its whole life) is not billed to the protection.
 * Prints `{"port":…,"ports":[…],"control":…}` once listening and the routing landmarks are
 * ready. Configured by ISSUER_BASE_URL and AUDIENCE.
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

const shipped = createApp({
  logger,
  world,
  auth: {
    issuerBaseURL: process.env.ISSUER_BASE_URL ?? '',
    audience: process.env.AUDIENCE ?? '',
  },
});
await serveForBench([unprotectedApp(), shipped]);
