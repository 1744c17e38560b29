import { runServer } from '@repo/http';
import { createIssuerMetadata, issuerReadiness } from '@repo/issuer-metadata';
import { createAuditEvents } from '@repo/audit-events';
import { createServiceLogger } from '@repo/logger';
import { protectApi } from '@repo/resource-server';
import { createApiClient, createDpopKey, createTokenProvider } from '@repo/token-client';
import { createApp } from './app.js';
import { publishTokenCache } from './token-cache-events.js';
import { loadConfig, redactDatabaseUrl } from './config.js';
import { loadTokenAuthOrExit } from './token-auth.js';
import { DeliveriesService } from './deliveries-service.js';
import { seedSampleDeliveries, shouldSeed } from './seed.js';
import type { DeliveryStore } from './store/delivery-store.js';
import { currentDeliveryId, DeliveryWorker } from './worker/delivery-worker.js';
import { createPlanner } from './worker/planner.js';
import { WorldmappersClient } from './worker/worldmappers-client.js';

/** What giftdeliveries asks worldmappers-api for: no more than planning needs. */
const WORLDMAPPERS_SCOPES = ['geocode:location', 'directions'];

const config = loadConfig();
const tokenAuth = await loadTokenAuthOrExit('giftdeliveries', {
  method: config.TOKEN_AUTH_METHOD,
  secret: config.CLIENT_SECRET,
  keyFile: config.CLIENT_PRIVATE_KEY_FILE,
  alg: config.CLIENT_ASSERTION_ALG,
  assertionAudience: config.CLIENT_ASSERTION_AUDIENCE,
  names: {
    method: 'TOKEN_AUTH_METHOD',
    keyFile: 'CLIENT_PRIVATE_KEY_FILE',
    alg: 'CLIENT_ASSERTION_ALG',
  },
});
// Every line names the replica, so one delivery can be followed across replicas.
const logger = createServiceLogger('giftdeliveries', config).child({ replica: config.REPLICA_ID });

/** Where deliveries are kept, as logs may show it (no password). */
const database = config.DATABASE_URL
  ? redactDatabaseUrl(config.DATABASE_URL)
  : `sqlite:${config.DATA_DIR}/deliveries.db`;

// Each store's driver is imported only when that store is chosen: pg and @libsql/client each cost
// tens of ms of CPU to load, before listening, and a process uses one of them.
async function openStore(): Promise<DeliveryStore> {
  if (!config.DATABASE_URL) {
    const { SqliteDeliveryStore } = await import('./store/sqlite-store.js');
    return SqliteDeliveryStore.open(config.DATA_DIR);
  }
  const { PostgresDeliveryStore } = await import('./store/postgres-store.js');
  return PostgresDeliveryStore.open(config.DATABASE_URL, {
    onConnectionError: (error) => logger.warn('database connection lost', { database, err: error }),
  });
}

let store: DeliveryStore;
try {
  store = await openStore();
} catch (error) {
  logger.error('could not open the deliveries database', { database, err: error });
  process.exit(1);
}
// One client for the issuer's metadata: the token provider, protection and readiness share it.
const issuerMetadata = createIssuerMetadata({ issuer: config.ISSUER_BASE_URL });

const tokens = createTokenProvider({
  clientId: config.CLIENT_ID,
  ...tokenAuth,
  audience: config.WORLDMAPPERS_AUDIENCE,
  scope: WORLDMAPPERS_SCOPES,
  issuerMetadata,
  tokenEndpoint: config.TOKEN_ENDPOINT,
  audienceParam: config.TOKEN_AUDIENCE_PARAM,
  // TOKEN_BINDING=dpop: a key pair made at start and kept in memory only (RFC 9449).
  ...(config.TOKEN_BINDING === 'dpop' && { dpop: await createDpopKey() }),
  logger,
  // The worker has its own, longer backoff; keep one planning attempt short.
  maxAttempts: 3,
  timeoutMs: 5_000,
  variables: {
    audience: 'WORLDMAPPERS_AUDIENCE',
    scope: `the scopes giftdeliveries needs (${WORLDMAPPERS_SCOPES.join(' ')})`,
  },
});
const worldmappersApi = createApiClient({
  baseURL: config.WORLDMAPPERS_API_URL,
  tokens,
  timeoutMs: 10_000,
});
// worldmappers-api's request lines then carry the delivery's id as their requestId.
worldmappersApi.interceptors.request.use((request) => {
  const deliveryId = currentDeliveryId();
  if (deliveryId) request.headers.set('X-Request-Id', deliveryId);
  return request;
});
const worldmappers = new WorldmappersClient(worldmappersApi);

const worker = new DeliveryWorker({
  store,
  replicaId: config.REPLICA_ID,
  plan: createPlanner(worldmappers),
  logger,
  concurrency: config.WORKER_CONCURRENCY,
  pollMs: config.WORKER_POLL_MS,
  leaseMs: config.WORKER_LEASE_MS,
  retryBaseMs: config.RETRY_BASE_MS,
  retryMaxMs: config.RETRY_MAX_MS,
});
const deliveries = new DeliveriesService(store, config.DEPOT, () => worker.wake());

const events = createAuditEvents({
  service: 'giftdeliveries',
  logger,
  setting: config.EVENTS_STREAM,
  nodeEnv: config.NODE_ENV,
});
if (events.enabled) publishTokenCache(events.bus, tokens);
const app = createApp({
  events,
  consoleUrl: config.CONSOLE_URL,
  logger,
  deliveries,
  protection: protectApi({
    issuerMetadata,
    audience: config.AUDIENCE,
    tokenSigningAlg: config.TOKEN_SIGNING_ALG,
    dpop: config.DPOP,
    logger,
  }),
  apiRateLimit: config.API_RATE_LIMIT,
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
    database,
    client_id: config.CLIENT_ID,
    token_auth_method: config.TOKEN_AUTH_METHOD,
    ...(tokenAuth.clientKey ? { client_key_kid: tokenAuth.clientKey.kid } : {}),
  },
  onShutdown: async () => {
    await worker.stop(5_000);
    await store.close();
  },
});

if (shouldSeed(config.SEED_SAMPLE_DELIVERIES, config.NODE_ENV)) {
  await seedSampleDeliveries(store, deliveries, logger).catch((error: unknown) => {
    logger.error('could not enqueue the sample deliveries', { err: error });
  });
}
worker.start();
