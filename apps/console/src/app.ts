import { fileURLToPath } from 'node:url';
import express, { type Express, type Request } from 'express';
import { DEMO_CLIENTS } from '@repo/contracts';
import {
  createBaseApp,
  errorHandler,
  HttpError,
  invalidRequest,
  notFoundHandler,
} from '@repo/http';
import type { IssuerMetadata } from '@repo/issuer-metadata';
import type { Logger } from '@repo/logger';
import { ROUTES, routeById, TRY_CLIENTS, type RouteInfo } from './catalog.js';
import type { EventHub } from './hub.js';
import { inspectToken } from './inspector.js';
import { LabBusy, type LabRunner } from './lab-runner.js';
import { INSPECT_ERRORS_EN } from './reasons.js';
import type { TokenBook } from './token-book.js';

export interface ConsoleAppDeps {
  logger: Logger;
  hub: EventHub;
  book: TokenBook;
  metadata: IssuerMetadata;
  /** Runs the lab's scenarios for "Try it" (off in production). */
  lab: LabRunner;
  urls: { 'worldmappers-api': string; giftdeliveries: string; issuer: string };
}

/** The page's own assets: bundled by `npm run build` into dist/public. */
const PUBLIC_DIR = fileURLToPath(new URL('./public', import.meta.url));

/** Only 'self': the page loads nothing from anywhere else (it works offline). */
const PAGE_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

interface CallResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  tokenFingerprint?: string;
  error?: string;
}

async function call(
  url: string,
  init: { method: string; token?: string; body?: unknown },
): Promise<Omit<CallResult, 'tokenFingerprint'>> {
  const response = await fetch(url, {
    method: init.method,
    headers: {
      Accept: 'application/json',
      ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
      ...(init.body ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: shown as text.
  }
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'www-authenticate', 'retry-after', 'x-request-id']) {
    const value = response.headers.get(name);
    if (value) headers[name] = value;
  }
  return { status: response.status, headers, body };
}

const stringField = (req: Request, name: string): string => {
  const value: unknown = (req.body as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'string' || value.length === 0 || value.length > 8_192) {
    throw invalidRequest(`The field "${name}" must be a non-empty string.`);
  }
  return value;
};

/** The console's HTTP app: the page, its stream and its small JSON API; never listens by itself. */
export function createApp({ logger, hub, book, metadata, lab, urls }: ConsoleAppDeps): Express {
  const app = createBaseApp(logger);
  const json = express.json({ limit: '32kb' });
  const baseOf = (route: RouteInfo) => urls[route.service];

  /** Makes the real request as that client, with its real token; refusals are results too. */
  const tryRoute = async (
    clientId: string,
    route: RouteInfo,
    token?: string,
  ): Promise<CallResult> => {
    let bearer = token;
    if (bearer === undefined) {
      try {
        bearer = await book.token(clientId, route.audience);
      } catch (error) {
        return { status: 0, headers: {}, body: null, error: (error as Error).message };
      }
    }
    const result = await call(`${baseOf(route)}${route.path}`, {
      method: route.method,
      token: bearer,
      ...(route.body ? { body: route.body } : {}),
    });
    return { ...result, tokenFingerprint: book.remember(bearer) };
  };

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', PAGE_CSP);
    next();
  });
  app.get('/api/stream', (req, res) => {
    hub.attach(res, Number(req.header('last-event-id') ?? 0) || 0);
  });
  app.get('/api/catalog', (_req, res) => {
    res.json({
      clients: TRY_CLIENTS,
      routes: ROUTES,
      issuer: urls.issuer,
      tokens: book.known(),
    });
  });
  app.post('/api/inspect', json, async (req, res) => {
    const route = routeById((req.body as Record<string, unknown>)?.route);
    if (!route) throw invalidRequest(INSPECT_ERRORS_EN['unknown-route']);
    const given = (req.body as Record<string, unknown>).token;
    const token =
      typeof given === 'string' && given.startsWith('sha256:') ? book.byPrint(given) : given;
    if (typeof token !== 'string' || token.trim() === '') {
      throw invalidRequest(INSPECT_ERRORS_EN['no-token']);
    }
    res.json(await inspectToken(token.trim(), route, metadata));
  });
  app.get('/api/keys', async (_req, res) => {
    // Which key signs now: the last rotation the auth-server announced, else the kid of a token
    // issued to the console. An unknown kid makes the JWKS be fetched again (as the APIs do).
    const changes = hub.recent('keys');
    const last = hub.last('keys')?.fields as
      { signing_kid?: string; retired_until?: Record<string, string> } | undefined;
    const announced = last?.signing_kid;
    const token = await book.token(DEMO_CLIENTS.console.id, 'urn:auth-server').catch(() => '');
    const issuedKid = token
      ? (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid?: string })
          .kid
      : undefined;
    const signingKid = announced ?? issuedKid;
    const keys = await metadata.keys(signingKid);
    res.json({
      jwksUri: keys.uri,
      signingKid,
      // Until when each retired key stays published, as the auth-server's last change said.
      retiredUntil: last?.retired_until ?? {},
      keys: keys.jwks.keys.map((key) => ({
        kid: key.kid,
        kty: key.kty,
        alg: key.alg,
        use: key.use,
      })),
      changes,
    });
  });
  app.post('/api/try', json, async (req, res) => {
    const clientId = stringField(req, 'client');
    const route = routeById((req.body as Record<string, unknown>).route);
    if (!route || !TRY_CLIENTS.includes(clientId as never))
      throw invalidRequest('Unknown client or route.');
    res.json(await tryRoute(clientId, route));
  });
  app.get('/api/lab', async (_req, res) => {
    res.json(await lab.state());
  });
  app.post('/api/lab/:number', json, async (req, res) => {
    // JSON only: a cross-site form or a no-cors fetch cannot send it without a CORS preflight,
    // which this app never approves; so no other page in the browser can start a scenario.
    if (!req.is('application/json')) {
      throw new HttpError(415, 'invalid_request', 'Send a JSON body: {"lang":"en"}.');
    }
    const lang = (req.body as Record<string, unknown> | undefined)?.lang === 'ja' ? 'ja' : 'en';
    try {
      res.json(await lab.run(Number(req.params.number), lang));
    } catch (error) {
      if (error instanceof LabBusy) throw new HttpError(409, 'conflict', error.message);
      if (error instanceof RangeError) throw new HttpError(404, 'not_found', error.message);
      throw error;
    }
  });
  app.get('/api/deliveries', async (_req, res) => {
    const token = await book.token('storefront', 'urn:giftdeliveries');
    res.json(await call(`${urls.giftdeliveries}/deliveries?limit=50`, { method: 'GET', token }));
  });
  app.post('/api/deliveries', json, async (req, res) => {
    const destination = stringField(req, 'destination');
    const recipient = stringField(req, 'recipient');
    const token = await book.token('storefront', 'urn:giftdeliveries');
    res.json(
      await call(`${urls.giftdeliveries}/deliveries`, {
        method: 'POST',
        token,
        body: { destination, recipient },
      }),
    );
  });
  app.use(express.static(PUBLIC_DIR, { index: 'index.html', maxAge: 0 }));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
