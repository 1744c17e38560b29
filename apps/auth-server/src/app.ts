import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import type Provider from 'oidc-provider';
import { createBaseApp, errorHandler, notFoundHandler, readinessHandler } from '@repo/http';
import { landingPage, type AuditEvents } from '@repo/audit-events';
import type { Logger } from '@repo/logger';
import { protectApi } from '@repo/resource-server';
import { ClientAuthLimiter } from './client-auth-limiter.js';
import type { KeyRing } from './keys/key-ring.js';
import { createProvider } from './provider.js';
import type { ResolvedRegistry } from './registry-check.js';
import { tokenEndpoint, type ForwardToProvider } from './token-endpoint.js';

export interface AppDeps {
  logger: Logger;
  /** Normalised (one trailing slash); the token's `iss` and the discovery `issuer`. */
  issuer: string;
  registry: ResolvedRegistry;
  keyRing: KeyRing;
  /** Lockout after failed client authentications; defaults to 5 failures, 60 s. */
  clientAuth?: { maxFailures: number; lockoutSeconds: number };
  /** Its audit events at `GET /events` (audience `urn:auth-server`), and the console's address. */
  events?: AuditEvents;
  consoleUrl?: string;
}

/** Discovery (OIDC and RFC 8414) and the JWKS, with Auth0's JWKS path as an alias. */
const PUBLIC_PATHS = [
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
  '/jwks',
  '/.well-known/jwks.json',
];

/** The audience of the authorization server's own event stream (see the registry). */
export const EVENTS_AUDIENCE = 'urn:auth-server';

const LANDING = {
  name: 'auth-server',
  description:
    'The local OAuth 2.0 authorization server of the demo: it issues client credentials access tokens (JWT, RS256) to the seeded machine clients.',
  links: { 'Discovery document': '.well-known/openid-configuration', JWKS: 'jwks' },
};

/**
 * The auth-server HTTP app; never listens by itself. oidc-provider does the OAuth work; this
 * app routes to it, adapts Auth0-style requests, and swaps in a new provider instance when the
 * signing keys change.
 */
export function createApp(deps: AppDeps): Express {
  const { logger, issuer, registry, keyRing, clientAuth, events } = deps;
  const app = createBaseApp(logger);
  if (events) {
    app.use(events.recorder);
    app.use(
      events.routes(protectApi({ issuerBaseURL: issuer, audience: EVENTS_AUDIENCE, logger })),
    );
  }
  app.get('/', landingPage({ ...LANDING, consoleUrl: deps.consoleUrl ?? 'http://localhost:7003' }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(
    '/readyz',
    readinessHandler({
      // No token can be issued without a signing key.
      keys: async () => {
        const keys = await keyRing.current();
        return { ok: true, signingKid: keys.signingKid, published: keys.publishedKids.length };
      },
    }),
  );

  let current:
    | {
        version: string;
        provider: Provider;
        handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
      }
    | undefined;
  const forward: ForwardToProvider = async (req, res) => {
    const keys = await keyRing.current();
    if (current?.version !== keys.version) {
      const provider = createProvider({ issuer, registry, keys, logger });
      current = {
        version: keys.version,
        provider,
        handle: provider.callback() as (req: IncomingMessage, res: ServerResponse) => Promise<void>,
      };
    }
    await current.handle(req, res);
  };

  const limiter = new ClientAuthLimiter(clientAuth ?? { maxFailures: 5, lockoutSeconds: 60 });
  const router = express.Router();
  router.use(tokenEndpoint({ forward, limiter, logger }));
  router.get(PUBLIC_PATHS, async (req, res) => {
    if (req.path === '/.well-known/jwks.json') req.url = '/jwks';
    await forward(req, res);
  });
  // The issuer may have a path (https://host/auth/); oidc-provider's routes live under it.
  app.use(new URL(issuer).pathname, router);

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
