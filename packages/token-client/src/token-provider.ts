import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
// jose by entry point: the package's index is some 60 modules to load at start-up.
import type { JWTPayload } from 'jose';
import { decodeJwt } from 'jose/jwt/decode';
import {
  createIssuerMetadata,
  IssuerMetadataError,
  IssuerUnavailableError,
  type IssuerMetadata,
} from '@repo/issuer-metadata';
import { fingerprint, type Logger } from '@repo/logger';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import { useDpopNonce, type DpopKey } from './dpop.js';
import {
  DEFAULT_VARIABLE_NAMES,
  explainRefusal,
  TokenEndpointUnavailableError,
  TokenRequestError,
  type TokenVariableNames,
} from './token-errors.js';
import { CLIENT_ASSERTION_TYPE, signClientAssertion, type ClientKey } from './client-assertion.js';

/**
 * How the client proves who it is: a shared secret in the Basic header (Logto) or in body fields
 * (Auth0's default), RFC 6749 §2.3.1; or `private_key_jwt`, an assertion signed with its private
 * key (RFC 7523, OpenID Connect Core §9), so that no secret is ever sent.
 */
export type TokenAuthMethod = 'client_secret_post' | 'client_secret_basic' | 'private_key_jwt';

const AUTH_METHODS: readonly TokenAuthMethod[] = [
  'client_secret_post',
  'client_secret_basic',
  'private_key_jwt',
];
/** How the target API is named: `audience` (Auth0) or `resource` (RFC 8707, Logto). */
export type TokenAudienceParam = 'audience' | 'resource';

export interface TokenProviderOptions {
  clientId: string;
  /** Required by the two secret methods; unused by `private_key_jwt`. */
  clientSecret?: string;
  /** Required by `private_key_jwt`: the key its assertions are signed with ({@link loadClientKey}). */
  clientKey?: ClientKey;
  /** The API the token is for (`urn:worldmappers`). */
  audience: string;
  /** Scopes to ask for; none asks for every scope the client was granted for the API. */
  scope?: string | readonly string[];
  /** The authorization server; its discovery document names the token endpoint. */
  issuerBaseURL?: string;
  /** The process's shared client for that server's metadata; built from `issuerBaseURL` if not given. */
  issuerMetadata?: IssuerMetadata;
  /** Skips discovery when set (`TOKEN_ENDPOINT`). */
  tokenEndpoint?: string;
  /** Default `client_secret_post`. */
  authMethod?: TokenAuthMethod;
  /**
   * The `aud` of a `private_key_jwt` assertion: the token endpoint (default; RFC 7523 §3) or the
   * issuer (what Auth0 documents: `https://tenant/`). The local auth-server accepts both.
   */
  assertionAudience?: 'token_endpoint' | 'issuer';
  /** Default `audience`. */
  audienceParam?: TokenAudienceParam;
  logger?: Logger;
  /** The axios instance token requests are sent with; tests pass one with a fake adapter. */
  http?: AxiosInstance;
  /** Jitter source in [0, 1); tests fix it. */
  random?: () => number;
  /** Per token-request attempt (discovery has the issuer-metadata client's). Default 10 s. */
  timeoutMs?: number;
  /** HTTP attempts per token (or discovery) request, first one included. Default 4. */
  maxAttempts?: number;
  /** First backoff delay; doubles each retry, with jitter. Default 500 ms. */
  backoffBaseMs?: number;
  /**
   * Longest backoff delay, and longest `Retry-After` waited for within one call; a longer one
   * fails the call and no request is sent before it has passed. Default 10 s.
   */
  backoffMaxMs?: number;
  /** How long a refusal (`invalid_client`…) is answered from memory before asking again. Default 30 s. */
  refusalCooldownMs?: number;
  /** Names of the settings behind each option, for error messages. */
  variables?: Partial<TokenVariableNames>;
  /**
   * Bind tokens to this key (DPoP, RFC 9449, `TOKEN_BINDING=dpop`): each token request carries a
   * proof, and a token that is not `token_type: DPoP` is refused as `dpop_not_issued`.
   */
  dpop?: DpopKey;
}

/** A token as the provider keeps it. */
export interface AccessToken {
  accessToken: string;
  tokenType: string;
  audience: string;
  /** Granted scopes, as the server reported them (or as asked, if it did not say). */
  scope: string[];
  /** Milliseconds since the epoch. */
  obtainedAt: number;
  expiresAt: number;
  lifetimeSeconds: number;
  /** `sha256:…` of the token: what logs show instead of it. */
  fingerprint: string;
}

/** Counters for tests, benchmarks and load tests ("at most N token requests"). */
export interface TokenProviderStats {
  /** HTTP requests sent to the token endpoint, retries included. */
  tokenRequests: number;
  /** Tokens actually obtained. */
  tokensObtained: number;
  /** HTTP requests for discovery documents (by its issuer-metadata client). */
  discoveryRequests: number;
  /** Refusals (`TokenRequestError`) received from the server. */
  refusals: number;
  /** Calls of `getToken` answered with a token (cached or new): the API calls tokens served. */
  tokensServed: number;
}

/** The cached token as logs may show it: its fingerprint and times, never the token. */
export interface CachedTokenState {
  fingerprint: string;
  /** `Bearer`, or `DPoP` for a token bound to the provider's key: the binding of the cache. */
  tokenType: string;
  scope: string[];
  obtainedAt: number;
  expiresAt: number;
  /** When the provider will ask for a new one ({@link renewalTime}). */
  renewAt: number;
}

/**
 * Client credentials tokens for one client and one API (RFC 6749 §4.4,
 * https://www.rfc-editor.org/rfc/rfc6749#section-4.4).
 */
export interface TokenProvider {
  readonly clientId: string;
  readonly audience: string;
  /** The key its tokens are bound to (DPoP), when it asks for bound tokens. */
  readonly dpop?: DpopKey;
  /** A valid token: the cached one, or a new one if it is missing or near expiry. */
  getToken(): Promise<AccessToken>;
  /** Just the access token string, for an `Authorization: Bearer` header. */
  getAccessToken(): Promise<string>;
  /**
   * Forgets the cached token (an API answered 401 `invalid_token`). Given the token that was
   * refused, only forgets it if it is still the cached one, so a newer token survives.
   */
  invalidate(accessToken?: string): void;
  stats(): TokenProviderStats;
  /** The cached token's state, if one is cached (for the console's cache view). */
  cachedToken(): CachedTokenState | undefined;
}

const GRANT_TYPE = 'client_credentials';
/** Tokens without `expires_in` or `exp` are trusted this long. */
const UNKNOWN_LIFETIME_SECONDS = 300;
/** A cached token still this far from expiry may stand in while the endpoint is down. */
const STALE_GRACE_MS = 5_000;

/** One try of a retried step: its result, or why it failed for a transient reason. */
type Outcome<T> =
  | { value: T }
  | { reason: string; status?: number | undefined; retryAfter?: unknown; error?: unknown };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function scopeList(scope: string | readonly string[] | undefined): string[] {
  if (scope === undefined) return [];
  const list = typeof scope === 'string' ? scope.split(/\s+/) : [...scope];
  return list.filter(Boolean);
}

function describeFailure(error: unknown): string {
  if (axios.isAxiosError(error))
    return error.code ? `${error.code}: ${error.message}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * When to renew a token obtained at `obtainedAt` that expires at `expiresAt`: at least 30 s or
 * 10 % of its lifetime early, whichever is larger, but never earlier than half-way through it (a
 * 40 s token would otherwise never be reused).
 */
export function renewalTime(token: Pick<AccessToken, 'obtainedAt' | 'expiresAt'>): number {
  const lifetime = token.expiresAt - token.obtainedAt;
  const early = Math.min(Math.max(30_000, lifetime * 0.1), lifetime / 2);
  return token.expiresAt - early;
}

/**
 * A client credentials token provider: discovers the token endpoint, caches the token and renews
 * it early, shares one request among concurrent callers, retries transient failures with
 * {@link backoffDelay} (honouring `Retry-After`), and turns refusals into a
 * {@link TokenRequestError} naming the variable to fix, remembered for a cool-down so that a
 * misconfigured client does not hammer the authorization server.
 */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const {
    clientId,
    clientSecret,
    audience,
    logger,
    random = Math.random,
    timeoutMs = 10_000,
    maxAttempts = 4,
    backoffBaseMs = 500,
    backoffMaxMs = 10_000,
    refusalCooldownMs = 30_000,
    authMethod = 'client_secret_post',
    audienceParam = 'audience',
  } = options;
  if (!clientId) throw new TypeError('createTokenProvider: clientId is required');
  if (!AUTH_METHODS.includes(authMethod)) {
    throw new TypeError(`createTokenProvider: unknown authMethod "${String(authMethod)}"`);
  }
  if (authMethod === 'private_key_jwt') {
    if (!options.clientKey)
      throw new TypeError('createTokenProvider: clientKey is required for private_key_jwt');
  } else if (!clientSecret) {
    throw new TypeError('createTokenProvider: clientSecret is required');
  }
  if (!audience) throw new TypeError('createTokenProvider: audience is required');
  if (!options.tokenEndpoint && !options.issuerBaseURL && !options.issuerMetadata) {
    throw new TypeError('createTokenProvider: issuerBaseURL or tokenEndpoint is required');
  }
  if (audienceParam !== 'audience' && audienceParam !== 'resource') {
    throw new TypeError(`createTokenProvider: unknown audienceParam "${String(audienceParam)}"`);
  }
  const names: TokenVariableNames = { ...DEFAULT_VARIABLE_NAMES, ...options.variables };
  const scopes = scopeList(options.scope);
  const http = options.http ?? axios.create();
  const metadata =
    options.issuerMetadata ??
    (options.issuerBaseURL ? createIssuerMetadata({ issuer: options.issuerBaseURL }) : undefined);
  const log = logger?.child({ component: 'token-provider', clientId, audience });
  const counters = { tokenRequests: 0, tokensObtained: 0, refusals: 0, tokensServed: 0 };

  let tokenEndpoint = options.tokenEndpoint;
  let cached: AccessToken | undefined;
  let inflight: Promise<AccessToken> | undefined;
  let refusal: { error: TokenRequestError; until: number } | undefined;
  /** A `Retry-After` longer than we wait in one call: nobody asks again before it has passed. */
  let backOff: { error: TokenEndpointUnavailableError; until: number } | undefined;

  /** Tries `attempt` until it gives a value, retrying transient failures with backoff. */
  async function withRetries<T>(what: string, attempt: () => Promise<Outcome<T>>): Promise<T> {
    for (let n = 1; ; n++) {
      const outcome = await attempt();
      if ('value' in outcome) return outcome.value;
      const { reason, status, error: cause } = outcome;
      const retryAfterMs = parseRetryAfter(outcome.retryAfter);
      if (retryAfterMs !== undefined && retryAfterMs > backoffMaxMs) {
        const error = new TokenEndpointUnavailableError(
          `${what} failed (${reason}); the server asks to wait ${Math.ceil(retryAfterMs / 1000)} s before trying again`,
          n,
          status,
        );
        backOff = { error, until: Date.now() + retryAfterMs };
        log?.warn(`${what} failed, backing off as asked`, { attempt: n, reason, retryAfterMs });
        throw error;
      }
      if (n >= maxAttempts) {
        throw new TokenEndpointUnavailableError(
          `${what} failed after ${n} attempt${n === 1 ? '' : 's'} (${reason})`,
          n,
          status,
          { cause },
        );
      }
      const delayMs = backoffDelay(n, {
        baseMs: backoffBaseMs,
        maxMs: backoffMaxMs,
        retryAfterMs,
        random,
      });
      log?.warn(`${what} failed, retrying`, { attempt: n, reason, delayMs, retryAfterMs });
      await sleep(delayMs);
    }
  }

  /** One token-request attempt: the answer, or why it failed transiently (network, 5xx, 429). */
  const sent = async (send: () => Promise<AxiosResponse>): Promise<Outcome<AxiosResponse>> => {
    try {
      const response = await send();
      if (response.status < 500 && response.status !== 429) return { value: response };
      const { status } = response;
      return { reason: `HTTP ${status}`, status, retryAfter: response.headers?.['retry-after'] };
    } catch (error) {
      return { reason: describeFailure(error), error };
    }
  };

  function refuse(code: string, status: number | undefined, description?: string): never {
    const { message, variables } = explainRefusal(code, names, {
      clientId,
      audience,
      scope: scopes.join(' '),
      authMethod,
    });
    const said = description ? ` (server said: ${JSON.stringify(description)})` : '';
    const error = new TokenRequestError(
      code,
      `token request refused with ${code}: ${message}${said}`,
      variables,
      status,
      description,
    );
    counters.refusals++;
    refusal = { error, until: Date.now() + refusalCooldownMs };
    log?.error('token request refused', {
      error: code,
      status,
      variables,
      cooldownMs: refusalCooldownMs,
      description,
    });
    throw error;
  }

  async function discover(): Promise<string> {
    if (tokenEndpoint) return tokenEndpoint;
    const issuer = metadata!.issuer;
    let found: string;
    try {
      found = await withRetries<string>(`discovery for issuer ${issuer}`, async () => {
        try {
          return { value: await metadata!.tokenEndpoint() };
        } catch (error) {
          if (!(error instanceof IssuerUnavailableError)) throw error;
          const { message: reason, status, retryAfter } = error;
          return { reason, status, retryAfter, error };
        }
      });
    } catch (error) {
      if (!(error instanceof IssuerMetadataError)) throw error;
      const refused = new TokenRequestError(
        'discovery_failed',
        `no usable discovery document (with a token_endpoint) for issuer ${issuer}: check ${names.issuer}, or set ${names.tokenEndpoint}`,
        [names.issuer, names.tokenEndpoint],
      );
      counters.refusals++;
      refusal = { error: refused, until: Date.now() + refusalCooldownMs };
      log?.error('token endpoint discovery failed', {
        issuer,
        reason: error.message,
        variables: refused.variables,
      });
      throw refused;
    }
    log?.debug('token endpoint discovered', { tokenEndpoint: found });
    return (tokenEndpoint = found);
  }

  async function tokenRequest(url: string, nonce?: string): Promise<AxiosResponse> {
    const body = new URLSearchParams({ grant_type: GRANT_TYPE });
    body.set(audienceParam, audience);
    if (scopes.length > 0) body.set('scope', scopes.join(' '));
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'Content-Type': 'application/x-www-form-urlencoded',
    };
    if (authMethod === 'private_key_jwt') {
      // A new assertion per attempt: each is single-use (its jti) and lives at most 60 s.
      const audience = options.assertionAudience === 'issuer' && metadata ? metadata.issuer : url;
      const assertion = await signClientAssertion(options.clientKey!, { clientId, audience });
      body.set('client_id', clientId);
      body.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
      body.set('client_assertion', assertion);
    } else if (authMethod === 'client_secret_basic') {
      // RFC 6749 §2.3.1: each part form-encoded before base64.
      const pair = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret!)}`;
      headers.Authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    } else {
      body.set('client_id', clientId);
      body.set('client_secret', clientSecret!);
    }
    if (options.dpop) {
      headers.DPoP = await options.dpop.proof({
        htm: 'POST',
        htu: url,
        nonce: nonce ?? options.dpop.nonceFor(url),
      });
    }
    counters.tokenRequests++;
    return http.post(url, body.toString(), {
      timeout: timeoutMs,
      headers,
      validateStatus: () => true,
      maxRedirects: 0,
    });
  }

  /** The token's own claims, or none for an opaque token. */
  function claimsOf(accessToken: string): JWTPayload {
    try {
      return decodeJwt(accessToken);
    } catch {
      return {};
    }
  }

  function lifetimeOf(data: Record<string, unknown>, claims: JWTPayload, now: number): number {
    const expiresIn = Number(data.expires_in);
    if (Number.isFinite(expiresIn) && expiresIn > 0) return expiresIn;
    const { exp } = claims;
    if (typeof exp === 'number' && exp * 1000 > now) return Math.floor((exp * 1000 - now) / 1000);
    return UNKNOWN_LIFETIME_SECONDS;
  }

  function grantedScopes(data: Record<string, unknown>, claims: JWTPayload): string[] {
    if (typeof data.scope === 'string') return scopeList(data.scope);
    if (typeof claims.scope === 'string') return scopeList(claims.scope);
    // RFC 6749 §5.1: an absent scope means the requested one.
    return scopes;
  }

  async function obtain(): Promise<AccessToken> {
    const url = await discover();
    let response = await withRetries(`token request to ${url}`, () =>
      sent(() => tokenRequest(url)),
    );
    if (options.dpop) {
      // RFC 9449 §8: a server that wants a nonce in the proof says so once; retry once with it.
      const nonce = useDpopNonce(response.status, response.headers, response.data);
      options.dpop.rememberNonce(url, response.headers?.['dpop-nonce'] as string | undefined);
      if (nonce !== undefined) {
        log?.info('token endpoint asked for a DPoP nonce, retrying once with it');
        response = await withRetries(`token request to ${url}`, () =>
          sent(() => tokenRequest(url, nonce)),
        );
        options.dpop.rememberNonce(url, response.headers?.['dpop-nonce'] as string | undefined);
      }
    }
    const data = (
      response.data && typeof response.data === 'object' ? response.data : {}
    ) as Record<string, unknown>;
    if (response.status !== 200) {
      const code =
        typeof data.error === 'string' && /^[\w.-]{1,64}$/.test(data.error)
          ? data.error
          : response.status === 401
            ? 'invalid_client'
            : 'token_endpoint_error';
      const description =
        typeof data.error_description === 'string'
          ? data.error_description.slice(0, 300)
          : undefined;
      refuse(code, response.status, description);
    }
    const accessToken = data.access_token;
    if (typeof accessToken !== 'string' || accessToken === '') {
      refuse('invalid_token_response', response.status, 'the answer has no access_token');
    }
    if (options.dpop && String(data.token_type).toLowerCase() !== 'dpop') {
      refuse(
        'dpop_not_issued',
        response.status,
        `a DPoP token was asked for, the answer has token_type ${JSON.stringify(data.token_type ?? null)}`,
      );
    }
    const now = Date.now();
    const claims = claimsOf(accessToken);
    const lifetimeSeconds = lifetimeOf(data, claims, now);
    const token: AccessToken = {
      accessToken,
      tokenType: typeof data.token_type === 'string' ? data.token_type : 'Bearer',
      audience,
      scope: grantedScopes(data, claims),
      obtainedAt: now,
      expiresAt: now + lifetimeSeconds * 1000,
      lifetimeSeconds,
      fingerprint: fingerprint(accessToken),
    };
    counters.tokensObtained++;
    refusal = undefined;
    log?.info('access token obtained', {
      tokenFingerprint: token.fingerprint,
      tokenType: token.tokenType,
      scope: token.scope.join(' '),
      lifetimeSeconds,
      expiresAt: new Date(token.expiresAt).toISOString(),
      tokenRequests: counters.tokenRequests,
    });
    return token;
  }

  async function getToken(): Promise<AccessToken> {
    const token = await findToken();
    counters.tokensServed++;
    return token;
  }

  async function findToken(): Promise<AccessToken> {
    const now = Date.now();
    if (cached && now < renewalTime(cached)) return cached;
    if (refusal && now < refusal.until) throw refusal.error;
    const previous = cached;
    if (backOff && now < backOff.until) {
      if (previous && now < previous.expiresAt - STALE_GRACE_MS) return previous;
      throw backOff.error;
    }
    if (!inflight) {
      inflight = obtain().then(
        (token) => {
          cached = token;
          inflight = undefined;
          return token;
        },
        (error: unknown) => {
          inflight = undefined;
          throw error;
        },
      );
    }
    try {
      return await inflight;
    } catch (error) {
      // An early renewal that failed for a transient reason: the old token is still good.
      if (
        error instanceof TokenEndpointUnavailableError &&
        previous &&
        previous === cached &&
        Date.now() < previous.expiresAt - STALE_GRACE_MS
      ) {
        log?.warn('token renewal failed, using the cached token until it expires', {
          tokenFingerprint: previous.fingerprint,
          expiresAt: new Date(previous.expiresAt).toISOString(),
        });
        return previous;
      }
      throw error;
    }
  }

  return {
    clientId,
    audience,
    ...(options.dpop && { dpop: options.dpop }),
    getToken,
    async getAccessToken() {
      return (await getToken()).accessToken;
    },
    invalidate(accessToken) {
      if (!cached) return;
      if (accessToken !== undefined && cached.accessToken !== accessToken) return;
      log?.info('cached access token dropped', { tokenFingerprint: cached.fingerprint });
      cached = undefined;
    },
    cachedToken: () =>
      cached && {
        fingerprint: cached.fingerprint,
        tokenType: cached.tokenType,
        scope: cached.scope,
        obtainedAt: cached.obtainedAt,
        expiresAt: cached.expiresAt,
        renewAt: renewalTime(cached),
      },
    stats: () => ({
      ...counters,
      discoveryRequests: metadata?.stats().documentRequests ?? 0,
    }),
  };
}
