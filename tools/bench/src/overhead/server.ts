/**
 * A child process of the overhead phase: the cheap route served one way (VARIANT), as a service
 * runs one configuration: no variant shares its JIT state or heap with another. Prints one JSON
 * line `{"port":…,"control":…}` when listening. Configured by VARIANT, SERVE_WITH,
 * ISSUER_BASE_URL, AUDIENCE.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express, { type RequestHandler } from 'express';
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer';
import { createAppServer, createBaseApp, errorHandler, notFoundHandler } from '@repo/http';
import { createLogger } from '@repo/logger';
import { protectApi, type VerificationCache } from '@repo/resource-server';
import { SCOPE, SERVE_WITH, VARIANTS, type ServeWith, type Variant } from './variants.js';

const issuerBaseURL = process.env.ISSUER_BASE_URL ?? '';
const audience = process.env.AUDIENCE ?? '';
const variant = process.env.VARIANT as Variant;
if (!VARIANTS.includes(variant)) throw new Error(`VARIANT must be one of ${VARIANTS.join(', ')}`);
const serveWith = (process.env.SERVE_WITH ?? 'app-server') as ServeWith;
if (!SERVE_WITH.includes(serveWith)) {
  throw new Error(`SERVE_WITH must be one of ${SERVE_WITH.join(', ')}`);
}

// The variant logs exactly as a service does (JSON, info level: request lines, and audit lines
// where protectApi is used); the lines are formatted and then dropped instead of written to a tty.
const sink = new Writable({
  write(_chunk, _encoding, callback) {
    callback();
  },
});
const logger = createLogger({ service: 'bench', level: 'info', format: 'json', stream: sink });

let shippedCache: VerificationCache | undefined;

function guards(variant: Variant): { authenticate?: RequestHandler; scope?: RequestHandler } {
  switch (variant) {
    case 'unprotected':
      return {};
    case 'library-default':
      // express-oauth2-jwt-bearer as its README shows it: auth() + requiredScopes().
      return { authenticate: auth({ issuerBaseURL, audience }), scope: requiredScopes(SCOPE) };
    case 'shipped-no-cache': {
      const api = protectApi({ issuerBaseURL, audience, logger, verificationCache: false });
      return { authenticate: api.authenticate, scope: api.requireScopes(SCOPE) };
    }
    case 'shipped': {
      const api = protectApi({ issuerBaseURL, audience, logger });
      shippedCache = api.verificationCache;
      return { authenticate: api.authenticate, scope: api.requireScopes(SCOPE) };
    }
  }
}

function appFor(variant: Variant): express.Express {
  const app = createBaseApp(logger);
  const { authenticate, scope } = guards(variant);
  const router = express.Router();
  const handler: RequestHandler = (req, res) => {
    res.json({ status: 'ok', client: req.auth?.payload.client_id ?? null });
  };
  // Mounted like worldmappers-api's routes: authenticate on /api, the scope on the route.
  if (scope) router.get('/location/status', scope, handler);
  else router.get('/location/status', handler);
  if (authenticate) app.use('/api', authenticate, router);
  else app.use('/api', router);
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}

const listen = (server: ReturnType<typeof createServer>) =>
  new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

// Served as the services serve their apps (runServer of @repo/http), or as Express alone would.
const app = appFor(variant);
const served = serveWith === 'app-server' ? createAppServer(app) : createServer(app);
served.keepAliveTimeout = 60_000;
const port = await listen(served);
// A side door for the bench: the process's CPU time, so cost per request can be computed from
// CPU consumed rather than from wall-clock throughput alone (robust against a busy machine).
const control = await listen(
  createServer((req, res) => {
    // `?gc`: a full collection first (the bench starts node with --expose-gc), outside any round.
    if (req.url?.includes('?gc')) globalThis.gc?.();
    const { user, system } = process.cpuUsage();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ cpuMicros: user + system, cache: shippedCache?.stats() }));
  }),
);
process.stdout.write(`${JSON.stringify({ port, control })}\n`);

// Exit normally on a signal so that `--cpu-prof` (when profiling the bench) can write its file.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
