import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from '@repo/logger';
import { createAppServer } from './app-server.js';

export interface RunServerOptions {
  port: number;
  logger: Logger;
  /** Called after the server stops accepting connections, before the process exits. */
  onShutdown?: () => Promise<void> | void;
  /** How long in-flight work may take after SIGTERM before the process exits anyway. */
  shutdownTimeoutMs?: number;
  /** Extra fields for the "listening" line. */
  fields?: Record<string, unknown>;
}

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  /** Stops accepting, finishes in-flight requests, runs `onShutdown`. */
  close(): Promise<void>;
}

/**
 * Serves `app` (through {@link createAppServer}) on `port` (0 picks a free one), logs where, and
 * shuts down gracefully on SIGTERM/SIGINT: stop accepting, let in-flight requests finish, run
 * `onShutdown`, exit 0.
 */
export async function runServer(app: Express, options: RunServerOptions): Promise<RunningServer> {
  const { logger, shutdownTimeoutMs = 10_000 } = options;
  const server = createAppServer(app);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  logger.info(`listening on ${url}`, { port, ...options.fields });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await options.onShutdown?.();
    })());

  const onSignal = (signal: NodeJS.Signals) => {
    logger.info(`${signal} received, shutting down`);
    const timer = setTimeout(() => {
      logger.warn('shutdown took too long, exiting', { shutdownTimeoutMs });
      process.exit(1);
    }, shutdownTimeoutMs);
    timer.unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { err: error });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return { server, port, url, close };
}
