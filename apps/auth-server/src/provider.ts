import { randomBytes } from 'node:crypto';
import Provider, {
  errors,
  type Adapter,
  type ClientMetadata,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { Logger } from '@repo/logger';
import { DPOP_SIGNING_ALGS } from './discovery.js';
import {
  ASSERTION_SIGNING_ALGS,
  MAX_ASSERTION_LIFETIME_SECONDS,
  type ClientKeysSnapshot,
} from './client-keys.js';
import type { KeySnapshot } from './keys/key-ring.js';
import type { ResolvedClient, ResolvedRegistry } from './registry-check.js';
import type { ReplayedRequest } from './token-endpoint.js';
import { QuotaExceeded, type TokenQuota } from './token-quota.js';

export interface ProviderOptions {
  issuer: string;
  registry: ResolvedRegistry;
  keys: KeySnapshot;
  logger: Logger;
  /** Tokens per client per hour (the registry's `tokenQuotaPerHour`). */
  quota: TokenQuota;
  /** oidc-provider's storage, per model (see LimiterStore.providerAdapter). */
  adapter: (model: string) => Adapter;
  /** DPoP nonces (RFC 9449 §8): the secret they are made with, and whether every proof needs one. */
  dpop?: DpopSettings;
  /** The public keys of the `private_key_jwt` clients whose JWKS is a file. */
  clientJwks?: ClientKeysSnapshot['jwks'];
}

/** How the token endpoint issues DPoP nonces (RFC 9449 §8). */
export interface DpopSettings {
  /** 32 bytes; the same for every provider instance of the process, so a key rotation keeps nonces. */
  nonceSecret: Buffer;
  /** Refuse proofs without a nonce of ours (`use_dpop_nonce`, 400). Default false. */
  requireNonce?: boolean;
}

/** Seconds of clock drift allowed on a client assertion's `exp`, `nbf` and `iat`. */
export const ASSERTION_CLOCK_TOLERANCE_SECONDS = 5;

/**
 * RFC 7523 §3 leaves the lifetime to the server: beyond oidc-provider's checks (signature, `iss`,
 * `aud`, `exp`, `jti` once, in the store every replica shares with `REDIS_URL`), an assertion must expire within {@link MAX_ASSERTION_LIFETIME_SECONDS}
 * and must not claim to be issued in the future.
 */
function assertShortLived(claims: Record<string, unknown>) {
  const now = Math.floor(Date.now() / 1000);
  const tolerance = ASSERTION_CLOCK_TOLERANCE_SECONDS;
  const exp = claims.exp as number;
  if (exp - now > MAX_ASSERTION_LIFETIME_SECONDS + tolerance) {
    throw new errors.InvalidClientAuth(
      `client assertions may live at most ${MAX_ASSERTION_LIFETIME_SECONDS} seconds`,
    );
  }
  if (claims.iat !== undefined) {
    const iat = claims.iat as number;
    if (iat > now + tolerance) throw new errors.InvalidClientAuth('iat is in the future');
    if (exp - iat > MAX_ASSERTION_LIFETIME_SECONDS) {
      throw new errors.InvalidClientAuth(
        `client assertions may live at most ${MAX_ASSERTION_LIFETIME_SECONDS} seconds`,
      );
    }
  }
  if (claims.sub !== claims.iss) {
    throw new errors.InvalidClientAuth('sub (JWT subject) must be the client_id');
  }
}

/** A registry client as oidc-provider's client metadata. */
function clientMetadata(
  client: ResolvedClient,
  clientJwks: ClientKeysSnapshot['jwks'] | undefined,
): ClientMetadata {
  const common = {
    client_id: client.id,
    client_name: client.name,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  };
  if (client.publicKeys) {
    // RFC 7523 / OIDC Core §9: no secret; assertions are verified with these public keys only.
    const keys =
      'jwksUri' in client.publicKeys
        ? { jwks_uri: client.publicKeys.jwksUri }
        : { jwks: { keys: (clientJwks?.get(client.id)?.keys ?? []) as never[] } };
    return { ...common, ...keys, token_endpoint_auth_method: 'private_key_jwt' };
  }
  return {
    ...common,
    client_secret: client.secret,
    // Both secret methods are accepted for a client registered with either (oidc-provider §client_auth).
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

/** 429 too_many_requests, as oidc-provider renders its own errors. */
class TooManyRequests extends errors.OIDCProviderError {
  constructor(description: string) {
    super(429, 'too_many_requests');
    this.error_description = description;
  }
}

/** oidc-provider's words for a DPoP proof whose jti it has seen (its ReplayDetection model). */
const DPOP_REPLAY = 'DPoP proof JWT Replay detected';

/** Requests whose token has been counted against the quota already. */
const counted = new WeakSet<object>();

function registered(registry: ResolvedRegistry, clientId: string): ResolvedClient {
  const client = registry.clients.get(clientId);
  // oidc-provider only knows the registry's clients, so this cannot happen.
  if (!client) throw new errors.InvalidClient('client not found');
  return client;
}

/** A disabled client authenticated fine but gets nothing. */
function refuseDisabled(client: ResolvedClient): void {
  if (!client.enabled) {
    throw new errors.AccessDenied(`client "${client.id}" is disabled`);
  }
}

function grantedApis(client: ResolvedClient): string[] {
  return Object.keys(client.grants);
}

/**
 * The token endpoint's policy, applied where oidc-provider resolves the target API
 * (RFC 8707 §2.2): the API must exist and be granted to the client, the requested scopes must be
 * a subset of that grant, and no scope means every granted scope.
 */
function resourceServerInfo(registry: ResolvedRegistry, keys: KeySnapshot, quota: TokenQuota) {
  return async (ctx: KoaContextWithOIDC, identifier: string, oidcClient: { clientId: string }) => {
    const client = registered(registry, oidcClient.clientId);
    refuseDisabled(client);
    const api = registry.apis.get(identifier);
    if (!api) {
      throw new errors.InvalidTarget(`unknown API "${identifier}"`);
    }
    const grant = client.grants[identifier];
    if (!grant) {
      throw new errors.InvalidTarget(
        `client "${client.id}" is not allowed to call ${identifier}` +
          (grantedApis(client).length ? ` (it may call ${grantedApis(client).join(', ')})` : ''),
      );
    }
    const params = ctx.oidc.params as { scope?: string } | undefined;
    const requested = (params?.scope ?? '').split(' ').filter(Boolean);
    const refused = [...new Set(requested.filter((scope) => !grant.includes(scope)))];
    if (refused.length > 0) {
      // No `scope` member in the error: the body stays RFC 6749's {error, error_description}.
      throw new errors.InvalidScope(
        `client "${client.id}" is not granted ${refused.join(' ')} on ${identifier} (granted: ${grant.join(' ')})`,
        undefined as unknown as string,
      );
    }
    if (requested.length === 0 && params) {
      // oidc-provider intersects the requested scopes with the API's; asking for none means all.
      params.scope = grant.join(' ');
    }
    if (!counted.has(ctx)) {
      // Last: only a request that gets its token spends the (authenticated) client's quota.
      counted.add(ctx);
      try {
        await quota.consume(client.id, client.tokenQuotaPerHour);
      } catch (error) {
        if (!(error instanceof QuotaExceeded)) throw error;
        ctx.set('Retry-After', String(error.retryAfterSeconds));
        throw new TooManyRequests(error.message);
      }
    }
    return {
      scope: grant.join(' '),
      audience: api.identifier,
      accessTokenTTL: api.tokenLifetimeSeconds,
      accessTokenFormat: 'jwt' as const,
      jwt: { sign: { alg: 'RS256' as const, kid: keys.signingKid } },
    };
  };
}

/** Without `audience`/`resource`, a client granted exactly one API gets a token for it. */
function defaultResource(registry: ResolvedRegistry) {
  return (_ctx: KoaContextWithOIDC, oidcClient: { clientId: string }) => {
    const client = registered(registry, oidcClient.clientId);
    refuseDisabled(client);
    const apis = grantedApis(client);
    if (apis.length === 1) return apis[0];
    throw new errors.InvalidTarget(
      `audience (or resource) is required${apis.length ? `: one of ${apis.join(', ')}` : ''}`,
    );
  };
}

/**
 * An oidc-provider instance for one set of signing keys: the client credentials grant only,
 * JWT access tokens per API (RFC 9068), no interactive flows, JSON errors everywhere.
 * https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export function createProvider({
  issuer,
  registry,
  keys,
  logger,
  quota,
  adapter,
  dpop = { nonceSecret: randomBytes(32) },
  clientJwks,
}: ProviderOptions): Provider {
  const clients = [...registry.clients.values()].map((client) =>
    clientMetadata(client, clientJwks),
  );

  const configuration: Configuration = {
    clients,
    jwks: { keys: keys.privateJwks as never },
    adapter,
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    clockTolerance: ASSERTION_CLOCK_TOLERANCE_SECONDS,
    assertJwtClientAuthClaimsAndHeader: ((
      _ctx: KoaContextWithOIDC,
      claims: Record<string, unknown>,
    ) => assertShortLived(claims)) as never,
    responseTypes: [],
    scopes: [],
    claims: {},
    // Unused by this grant, but oidc-provider wants its own rather than a default.
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      introspection: { enabled: false },
      revocation: { enabled: false },
      userinfo: { enabled: false },
      // A request with a valid proof gets a DPoP-bound token (token_type DPoP, cnf.jkt); without
      // one, a plain Bearer token. Proof jtis go through the adapter's ReplayDetection. Nonces are
      // issued (DPoP-Nonce) so a client with a wrong clock can retry; required only if asked.
      dPoP: {
        enabled: true,
        nonceSecret: dpop.nonceSecret,
        requireNonce: () => dpop.requireNonce === true,
        allowReplay: false,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: defaultResource(registry),
        getResourceServerInfo: resourceServerInfo(registry, keys, quota),
        useGrantedResource: () => false,
      },
    },
    ttl: {
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 600,
    },
    enabledJWA: {
      dPoPSigningAlgValues: [...DPOP_SIGNING_ALGS],
      clientAuthSigningAlgValues: [...ASSERTION_SIGNING_ALGS],
    },
    clientBasedCORS: () => false,
    // Machine clients only: errors are JSON even for a browser that prefers HTML.
    renderError: (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const token = ctx.oidc.entities.ClientCredentials;
    logger.info('token issued', {
      client_id: ctx.oidc.client?.clientId,
      audience: token?.aud,
      scope: token?.scope,
      jti: token?.jti,
      token_type: token?.jkt ? 'DPoP' : 'Bearer',
      expires_in: token?.expiration,
      kid: keys.signingKid,
    });
  });
  provider.on('grant.error', (ctx: KoaContextWithOIDC, error: errors.OIDCProviderError) => {
    if (error instanceof errors.InvalidGrant && error.error_detail === DPOP_REPLAY) {
      // oidc-provider refuses a replayed proof as a generic invalid_grant; RFC 9449 §11.1 makes
      // it a bad proof, so the client knows to send a fresh one. (Emitted before the answer.)
      ctx.body = { error: 'invalid_dpop_proof', error_description: DPOP_REPLAY };
    }
    logger.warn('token refused', {
      error: error.error,
      client_id:
        ctx.oidc.client?.clientId ??
        (ctx.req as ReplayedRequest).claimedClientId ??
        (ctx.oidc.params?.client_id as string | undefined),
      reason: (ctx.req as ReplayedRequest).refusal ?? error.error_detail ?? error.error_description,
    });
  });
  provider.on('server_error', (_ctx: KoaContextWithOIDC, error: Error) => {
    logger.error('authorization server error', { err: error });
  });
  return provider;
}
