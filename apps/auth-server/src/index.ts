import { existsSync } from 'node:fs';
import { ConfigError } from '@repo/config';
import { runServer } from '@repo/http';
import { createAuditEvents } from '@repo/audit-events';
import { createServiceLogger } from '@repo/logger';
import { loadSettings, type Settings } from './config.js';
import { ClientKeys, ClientKeysError } from './client-keys.js';
import { KeyFileError } from './keys/key-file.js';
import { KeyRing } from './keys/key-ring.js';
import { maskRedisUrl, memoryStore } from './rate-limit-store.js';
import { RegistryError } from './registry-check.js';

/** Configuration mistakes end the process with their message and no stack (EX_CONFIG). */
function exitOnSetupError(error: unknown): never {
  if (error instanceof ConfigError || error instanceof RegistryError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  if (error instanceof ClientKeysError) {
    process.stderr.write(`auth-server: cannot load a client's public keys: ${error.message}\n`);
    process.exit(78);
  }
  if (error instanceof KeyFileError) {
    process.stderr.write(`auth-server: cannot load the signing keys: ${error.message}\n`);
    process.exit(78);
  }
  throw error;
}

let settings: Settings;
try {
  settings = loadSettings();
} catch (error) {
  exitOnSetupError(error);
}
const { config, registry, keys } = settings;
const logger = createServiceLogger('auth-server', config);
// oidc-provider is imported only once the key files have been read: it prints a notice when
// loaded on an unsupported Node.js, which would bury a setup error. A first start is the
// exception: generating its RSA key takes the thread pool 0.3–0.7 s, and the app (most of the
// start-up's CPU) loads meanwhile instead of after it.
const loadingApp = keys.create && !existsSync(keys.path) ? import('./app.js') : undefined;

let keyRing: KeyRing;
try {
  keyRing = await KeyRing.open({
    path: keys.path,
    create: keys.create,
    maxTokenLifetimeSeconds: registry.maxTokenLifetimeSeconds,
    logger,
  });
} catch (error) {
  exitOnSetupError(error);
}
const events = createAuditEvents({
  service: 'auth-server',
  logger,
  setting: config.EVENTS_STREAM,
  nodeEnv: config.NODE_ENV,
});
const snapshot = await keyRing.current();
// The private_key_jwt clients' JWKS files: an invalid one stops the start, a missing one warns.
const clientKeys = new ClientKeys(registry, logger);
await clientKeys.current().catch(exitOnSetupError);
const { createApp } = await (loadingApp ?? import('./app.js'));
const store = config.REDIS_URL
  ? (await import('./redis-store.js')).redisStore({ url: config.REDIS_URL, logger })
  : memoryStore();

await runServer(
  createApp({
    logger,
    issuer: config.ISSUER,
    registry,
    keyRing,
    clientKeys,
    clientAuth: {
      maxFailures: config.CLIENT_AUTH_MAX_FAILURES,
      lockoutSeconds: config.CLIENT_AUTH_LOCKOUT_SECONDS,
    },
    store,
    events,
    consoleUrl: config.CONSOLE_URL,
    dpopRequireNonce: config.DPOP_REQUIRE_NONCE,
  }),
  {
    port: config.PORT,
    logger,
    onShutdown: () => store.close(),
    fields: {
      issuer: config.ISSUER,
      keys: keys.path,
      signing_kid: snapshot.signingKid,
      clients: [...registry.clients.keys()],
      apis: [...registry.apis.keys()],
      rate_limit_store: config.REDIS_URL ? maskRedisUrl(config.REDIS_URL) : 'memory',
    },
  },
);
