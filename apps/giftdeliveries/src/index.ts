import { runServer } from '@repo/http';
import { createIssuerMetadata, issuerReadiness } from '@repo/issuer-metadata';
import { createServiceLogger } from '@repo/logger';
import { protectApi } from '@repo/resource-server';
import { createApiClient, createTokenProvider } from '@repo/token-client';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { DeliveriesService } from './deliveries-service.js';
import { seedSampleDeliveries, shouldSeed } from './seed.js';
import { DeliveryStore } from './store/delivery-store.js';
import { DeliveryWorker } from './worker/delivery-worker.js';
import { createPlanner } from './worker/planner.js';
import { WorldmappersClient } from './worker/worldmappers-client.js';

/** What giftdeliveries asks worldmappers-api for: no more than planning needs. */
const WORLDMAPPERS_SCOPES = ['geocode:location', 'directions'];

const config = loadConfig();
const logger = createServiceLogger('giftdeliveries', config);

const store = await DeliveryStore.open(config.DATA_DIR);
// One client for the issuer's metadata: the token provider, protection and readiness share it.
const issuerMetadata = createIssuerMetadata({ issuer: config.ISSUER_BASE_URL });

const tokens = createTokenProvider({
  clientId: config.CLIENT_ID,
  clientSecret: config.CLIENT_SECRET,
  audience: config.WORLDMAPPERS_AUDIENCE,
  scope: WORLDMAPPERS_SCOPES,
  issuerMetadata,
  tokenEndpoint: config.TOKEN_ENDPOINT,
  authMethod: config.TOKEN_AUTH_METHOD,
  audienceParam: config.TOKEN_AUDIENCE_PARAM,
  logger,
  // The worker has its own, longer backoff; keep one planning attempt short.
  maxAttempts: 3,
  timeoutMs: 5_000,
  variables: {
    audience: 'WORLDMAPPERS_AUDIENCE',
    scope: `the scopes giftdeliveries needs (${WORLDMAPPERS_SCOPES.join(' ')})`,
  },
});
const worldmappers = new WorldmappersClient(
  createApiClient({ baseURL: config.WORLDMAPPERS_API_URL, tokens, timeoutMs: 10_000 }),
);

const worker = new DeliveryWorker({
  store,
  plan: createPlanner(worldmappers),
  logger,
  concurrency: config.WORKER_CONCURRENCY,
  pollMs: config.WORKER_POLL_MS,
  leaseMs: config.WORKER_LEASE_MS,
  retryBaseMs: config.RETRY_BASE_MS,
  retryMaxMs: config.RETRY_MAX_MS,
});
const deliveries = new DeliveriesService(store, config.DEPOT, () => worker.wake());

const app = createApp({
  logger,
  deliveries,
  protection: protectApi({
    issuerMetadata,
    audience: config.AUDIENCE,
    tokenSigningAlg: config.TOKEN_SIGNING_ALG,
    logger,
  }),
  readiness: {
    issuer: issuerReadiness(issuerMetadata),
    store: async () => {
      await store.ping();
      return { ok: true };
    },
  },
});

await runServer(app, {
  port: config.PORT,
  logger,
  fields: {
    issuer: config.ISSUER_BASE_URL,
    audience: config.AUDIENCE,
    worldmappers: config.WORLDMAPPERS_API_URL,
    dataDir: config.DATA_DIR,
  },
  onShutdown: async () => {
    await worker.stop(5_000);
    store.close();
  },
});

if (shouldSeed(config.SEED_SAMPLE_DELIVERIES, config.NODE_ENV)) {
  await seedSampleDeliveries(store, deliveries, logger).catch((error: unknown) => {
    logger.error('could not enqueue the sample deliveries', { err: error });
  });
}
worker.start();
