import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import type Provider from 'oidc-provider';
import { createBaseApp, errorHandler, notFoundHandler, readinessHandler } from '@repo/http';
import { landingPage, type AuditEvents } from '@repo/audit-events';
import type { Logger } from '@repo/logger';
import { protectApi } from '@repo/resource-server';
import { ClientAuthThrottle } from './client-auth-limiter.js';
import { ClientKeys } from './client-keys.js';
import { discoveryDocument, DISCOVERY_PATHS } from './discovery.js';
import { requireValidHost } from './host-header.js';
import type { KeyRing } from './keys/key-ring.js';
import { createProvider } from './provider.js';
import { memoryStore, type LimiterStore } from './rate-limit-store.js';
import type { ResolvedRegistry } from './registry-check.js';
import { tokenEndpoint, type ForwardToProvider } from './token-endpoint.js';
import { TokenQuota } from './token-quota.js';

export interface AppDeps {
  logger: Logger;
  /** Normalised (one trailing slash); the token's `iss` and the discovery `issuer`. */
  issuer: string;
  registry: ResolvedRegistry;
  keyRing: KeyRing;
  /**
   * The client authentication throttle: after `maxFailures` failures in `lockoutSeconds` for a
   * client id, its guesses are slowed to one per `intervalSeconds` (default 2) per address, each
   * waiting at most `maxWaitSeconds` (default 6). Defaults: 5 failures, 60 s.
   */
  clientAuth?: {
    maxFailures: number;
    lockoutSeconds: number;
    intervalSeconds?: number;
    maxWaitSeconds?: number;
  };
  /** Where the throttle's and the token quotas' counters live; default this process's memory. */
  store?: LimiterStore;
  /** The `private_key_jwt` clients' public keys; default: read from the registry's JWKS files. */
  clientKeys?: ClientKeys;
  /** Its audit events at `GET /events` (audience `urn:auth-server`), and the console's address. */
  events?: AuditEvents;
  consoleUrl?: string;
  /** DPoP nonces: required in every proof at the token endpoint (`DPOP_REQUIRE_NONCE`). Default false. */
  dpopRequireNonce?: boolean;
}

/** The JWKS, with Auth0's path as an alias. */
const JWKS_PATHS = ['/jwks', '/.well-known/jwks.json'];

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
  const { logger, issuer, registry, keyRing, clientAuth, events, store = memoryStore() } = deps;
  const app = createBaseApp(logger);
  app.use(requireValidHost);
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
      // Informational: the throttle and quotas work on either store.
      counters: () => ({ ...store.status() }),
    }),
  );

  let current:
    | {
        version: string;
        provider: Provider;
        handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
      }
    | undefined;
  const quota = new TokenQuota(store);
  const issuerHost = new URL(issuer).host;
  // One nonce secret per process, kept across key rotations (each makes a new provider).
  const dpop = { nonceSecret: randomBytes(32), requireNonce: deps.dpopRequireNonce === true };
  const clientKeys = deps.clientKeys ?? new ClientKeys(registry, logger);
  const forward: ForwardToProvider = async (req, res) => {
    // A client key added or retired (keys:client) is seen by the next request. Both files are
    // checked at once: one wait for the two stats, not two in a row.
    const [keys, clientJwks] = await Promise.all([keyRing.current(), clientKeys.current()]);
    const version = `${keys.version}|${clientJwks.version}`;
    if (current?.version !== version) {
      const provider = createProvider({
        issuer,
        registry,
        keys,
        logger,
        quota,
        adapter: (model) => store.providerAdapter(model),
        dpop,
        clientJwks: clientJwks.jwks,
      });
      current = {
        version,
        provider,
        handle: provider.callback() as (req: IncomingMessage, res: ServerResponse) => Promise<void>,
      };
    }
    await current.handle(req, res);
  };

  const { maxFailures, lockoutSeconds, ...pace } = clientAuth ?? {
    maxFailures: 5,
    lockoutSeconds: 60,
  };
  const throttle = new ClientAuthThrottle({
    maxFailures,
    windowSeconds: lockoutSeconds,
    ...pace,
    store,
  });
  const discovery = discoveryDocument(issuer, registry);
  const router = express.Router();
  router.use(tokenEndpoint({ forward, throttle, logger, issuer }));
  router.get([...DISCOVERY_PATHS], (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(discovery);
  });
  router.get(JWKS_PATHS, async (req, res) => {
    if (req.path === '/.well-known/jwks.json') req.url = '/jwks';
    // oidc-provider sees the issuer's host, never the caller's.
    req.headers.host = issuerHost;
    await forward(req, res);
  });
  // The issuer may have a path (https://host/auth/); oidc-provider's routes live under it.
  app.use(new URL(issuer).pathname, router);

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
