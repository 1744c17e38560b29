import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type express from 'express';
import { createAppServer } from '@repo/http';
import { createLogger } from '@repo/logger';
import type { ServeWith } from './variants.js';

/**
 * The logger of a bench server process: as a service logs (JSON, info level: request lines, and
 * audit lines where protectApi is used); the lines are formatted and then dropped instead of
 * written to a tty.
 */
export function benchLogger() {
  const sink = new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
  return createLogger({ service: 'bench', level: 'info', format: 'json', stream: sink });
}

const listen = (server: ReturnType<typeof createServer>) =>
  new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

/**
 * Serves a bench server process's app as the services serve theirs (createAppServer of
 * @repo/http), or as Express alone would, and prints `{"port":…,"ports":[…],"control":…}` once
 * listening. More than one app: each on a port of its own (`ports`, in order; `port` is the
 * first), so that contestants compared with each other can share one process and its luck. The
 * control port is a side door that answers the process's CPU time (`?gc`: after a full
 * collection; the bench starts node with --expose-gc) and `cache()`'s counters, so cost per
 * request can be computed from CPU consumed rather than from wall-clock throughput alone.
 */
export async function serveForBench(
  apps: express.Express | readonly express.Express[],
  serveWith: ServeWith = 'app-server',
  cache: () => object | undefined = () => undefined,
): Promise<void> {
  const ports: number[] = [];
  for (const app of Array.isArray(apps) ? apps : [apps]) {
    const served = serveWith === 'app-server' ? createAppServer(app) : createServer(app);
    served.keepAliveTimeout = 60_000;
    ports.push(await listen(served));
  }
  const control = await listen(
    createServer((req, res) => {
      if (req.url?.includes('?gc')) globalThis.gc?.();
      const { user, system } = process.cpuUsage();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ cpuMicros: user + system, cache: cache() }));
    }),
  );
  process.stdout.write(`${JSON.stringify({ port: ports[0], ports, control })}\n`);
  // Exit normally on a signal so that a profile (when profiling the bench) can be written.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
}
