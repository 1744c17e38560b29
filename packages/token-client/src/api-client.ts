import axios, {
  type AxiosInstance,
  type AxiosResponse,
  type CreateAxiosDefaults,
  type InternalAxiosRequestConfig,
} from 'axios';
import { useDpopNonce } from './dpop.js';
import type { TokenProvider } from './token-provider.js';

const USED_TOKEN = Symbol('usedToken');
const RETRIED = Symbol('retriedWithNewToken');
const NONCE_RETRIED = Symbol('retriedWithDpopNonce');

type TaggedConfig = InternalAxiosRequestConfig & {
  [USED_TOKEN]?: string;
  [RETRIED]?: boolean;
  [NONCE_RETRIED]?: boolean;
};

/**
 * Whether an API refused the token itself (RFC 6750 §3.1 `invalid_token`,
 * https://www.rfc-editor.org/rfc/rfc6750#section-3.1): revoked, expired early, signed by a key the
 * API no longer trusts. Only then can a new token help; a 403 `insufficient_scope` cannot.
 */
export function isInvalidTokenResponse(response: AxiosResponse | undefined): boolean {
  if (!response || response.status !== 401) return false;
  const challenge = response.headers?.['www-authenticate'];
  if (typeof challenge === 'string' && /error="?invalid_token"?/i.test(challenge)) return true;
  const data = response.data as { error?: unknown } | undefined;
  return typeof data === 'object' && data !== null && data.error === 'invalid_token';
}

/**
 * Makes every request of `instance` carry `Authorization: Bearer <token>` from `tokens`, or, when
 * `tokens` binds its tokens to a key (`tokens.dpop`), `Authorization: DPoP <token>` and a fresh
 * proof of that key for this method and URL (RFC 9449 §7). When the API answers 401
 * `invalid_token`, the token is dropped from the cache and the request is sent once more with a
 * fresh one; when it asks for a DPoP nonce (`use_dpop_nonce`), once more with a proof carrying
 * it. A second refusal is returned to the caller as is.
 */
export function attachTokenProvider(instance: AxiosInstance, tokens: TokenProvider): AxiosInstance {
  const { dpop } = tokens;
  instance.interceptors.request.use(async (config: TaggedConfig) => {
    const token = await tokens.getAccessToken();
    if (dpop) {
      const url = instance.getUri(config);
      config.headers.set('Authorization', `DPoP ${token}`);
      config.headers.set(
        'DPoP',
        await dpop.proof({
          htm: config.method ?? 'GET',
          htu: url,
          accessToken: token,
          nonce: dpop.nonceFor(url),
        }),
      );
    } else {
      config.headers.set('Authorization', `Bearer ${token}`);
    }
    config[USED_TOKEN] = token;
    return config;
  });

  const retry = (config: TaggedConfig | undefined, response: AxiosResponse | undefined) => {
    if (dpop && config && response) {
      const url = instance.getUri(config);
      const headers = response.headers as Record<string, unknown>;
      // The nonce rides on the answer; the request interceptor puts it in the next proof.
      dpop.rememberNonce(url, headers['dpop-nonce'] as string | undefined);
      if (!config[NONCE_RETRIED] && useDpopNonce(response.status, headers, response.data)) {
        config[NONCE_RETRIED] = true;
        return instance.request(config);
      }
    }
    if (!config || config[RETRIED] || !isInvalidTokenResponse(response)) return undefined;
    tokens.invalidate(config[USED_TOKEN]);
    config[RETRIED] = true;
    return instance.request(config);
  };

  instance.interceptors.response.use(
    // Reached for a 401 only when the caller chose a `validateStatus` that accepts it.
    (response) =>
      response.status === 401 ? (retry(response.config, response) ?? response) : response,
    (error: unknown) => {
      if (axios.isAxiosError(error)) {
        const retried = retry(error.config, error.response);
        if (retried) return retried;
      }
      throw error;
    },
  );
  return instance;
}

export interface ApiClientOptions {
  /** The API's base URL (`http://localhost:7001`). */
  baseURL: string;
  tokens: TokenProvider;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
  /** Anything else for `axios.create` (tests pass an `adapter`). */
  axiosDefaults?: CreateAxiosDefaults;
}

/** An axios instance for calling one protected API with tokens from `tokens`. */
export function createApiClient(options: ApiClientOptions): AxiosInstance {
  const instance = axios.create({
    ...options.axiosDefaults,
    baseURL: options.baseURL,
    timeout: options.timeoutMs ?? 10_000,
    headers: { Accept: 'application/json', ...options.axiosDefaults?.headers },
  });
  return attachTokenProvider(instance, options.tokens);
}
