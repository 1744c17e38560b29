import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, testLogger } from '@repo/testkit';
import { createApp } from '../../src/app.js';
import { loadSettings } from '../../src/config.js';
import { KeyRing } from '../../src/keys/key-ring.js';
import type { LimiterStore } from '../../src/rate-limit-store.js';
import type { Registry } from '../../src/registry.js';

export interface RunningAuthServer {
  port: number;
  url: string;
  issuer: string;
  dataDir: string;
  keyRing: KeyRing;
  /** JSON log records written so far. */
  logs: Record<string, unknown>[];
  /** Raw log text, to prove what is never written. */
  logText(): string;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  registry?: Registry;
  dataDir?: string;
  /** Epoch seconds, for the key ring. */
  now?: () => number;
  /** Listen here instead of a free port (a restart on the same address). */
  port?: number;
  /** The throttle's and quotas' counters (default: memory); closed with the server. */
  store?: LimiterStore;
  /** Slowed guesses: one per this many seconds, waiting at most maxWaitSeconds. */
  pace?: { intervalSeconds: number; maxWaitSeconds: number };
  /** The issuer (default: the listening address). */
  issuer?: string;
}

/** Makes a temporary directory removed by the returned function. */
export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'auth-server-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The app on a free port of 127.0.0.1, with the issuer at that address, as `index.ts` builds it. */
export async function startAuthServer(options: StartOptions = {}): Promise<RunningAuthServer> {
  const port = options.port ?? (await freePort());
  const issuer = options.issuer ?? `http://127.0.0.1:${port}/`;
  // A directory made here (it holds the signing keys) is removed on close; a given one is kept.
  const ownDir = options.dataDir ? undefined : tempDir();
  const dataDir = options.dataDir ?? ownDir!.path;
  const settings = loadSettings({
    env: { NODE_ENV: 'test', ISSUER: issuer, DATA_DIR: dataDir, ...options.env },
    envFile: false,
    registry: options.registry,
  });
  const { logger, ...sink } = testLogger({ service: 'auth-server', level: 'debug' });
  const keyRing = await KeyRing.open({
    path: settings.keys.path,
    create: settings.keys.create,
    maxTokenLifetimeSeconds: settings.registry.maxTokenLifetimeSeconds,
    logger,
    now: options.now,
  }).catch((error: unknown) => {
    ownDir?.remove();
    throw error;
  });
  const app = createApp({
    logger,
    issuer: settings.config.ISSUER,
    registry: settings.registry,
    keyRing,
    clientAuth: {
      maxFailures: settings.config.CLIENT_AUTH_MAX_FAILURES,
      lockoutSeconds: settings.config.CLIENT_AUTH_LOCKOUT_SECONDS,
      ...options.pace,
    },
    store: options.store,
    dpopRequireNonce: settings.config.DPOP_REQUIRE_NONCE,
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    issuer,
    dataDir,
    keyRing,
    logs: sink.lines,
    logText: sink.text,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          ownDir?.remove();
          void (options.store?.close() ?? Promise.resolve()).then(() => resolve());
        });
        server.closeAllConnections();
      }),
  };
}
