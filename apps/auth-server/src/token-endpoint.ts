import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { HttpError, invalidRequest, parseBody } from '@repo/http';
import type { Logger } from '@repo/logger';
import type { Admission, ClientAuthThrottle } from './client-auth-limiter.js';

/** Where oidc-provider's token endpoint lives (the discovery `token_endpoint`), and Auth0's path. */
export const TOKEN_PATHS = ['/token', '/oauth/token'] as const;
const PROVIDER_TOKEN_PATH = '/token';

/** Token requests are a handful of short parameters; anything bigger is not one. */
export const TOKEN_BODY_LIMIT = '16kb';

/** Hands a request to oidc-provider (whichever instance holds the current keys). */
export type ForwardToProvider = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** A request as oidc-provider will see it, with the client id it claims (for logs). */
export interface ReplayedRequest extends IncomingMessage {
  claimedClientId?: string;
  /** Set when the request is refused as invalid_client whatever its secret: why (for logs). */
  refusal?: string;
}

type Params = Map<string, string[]>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeText(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw invalidRequest('The request body is not valid UTF-8.');
  }
}

function fromForm(body: Buffer): Params {
  const params: Params = new Map();
  for (const [name, value] of new URLSearchParams(decodeText(body))) {
    params.set(name, [...(params.get(name) ?? []), value]);
  }
  return params;
}

function scalar(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw invalidRequest(`The parameter "${name}" must be a string.`);
}

/**
 * The first name that appears twice among the members of the top-level object of `text` (valid
 * JSON), which `JSON.parse` would silently resolve to its last value.
 */
export function duplicateTopLevelKey(text: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') depth -= 1;
    else if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (depth === 1) {
        let next = end + 1;
        while (/\s/.test(text[next] ?? '')) next += 1;
        if (text[next] === ':') {
          const name = JSON.parse(text.slice(i, end + 1)) as string;
          if (seen.has(name)) return name;
          seen.add(name);
        }
      }
      i = end;
    }
  }
  return undefined;
}

function fromJson(body: Buffer): Params {
  let parsed: unknown;
  const text = decodeText(body);
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidRequest('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest('The JSON request body must be an object of parameters.');
  }
  const duplicate = duplicateTopLevelKey(text);
  if (duplicate !== undefined) {
    // The refusal oidc-provider gives a repeated form parameter.
    throw invalidRequest(`'${duplicate}' parameter must not be provided twice`);
  }
  const params: Params = new Map();
  for (const [name, value] of Object.entries(parsed)) {
    if (value === null || value === undefined) continue;
    if (!Array.isArray(value)) {
      params.set(name, [scalar(name, value)]);
    } else if (name === 'scope') {
      // Some clients send scopes as a list; RFC 6749 §3.3 wants one space-separated string.
      params.set(name, [value.map((item) => scalar(name, item)).join(' ')]);
    } else {
      // Several values reach oidc-provider as a repeated parameter, which it refuses by name.
      params.set(
        name,
        value.map((item) => scalar(name, item)),
      );
    }
  }
  return params;
}

function charsetOf(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1]?.toLowerCase();
}

/**
 * The parameters of a token request, whichever way they came: a form body (RFC 6749 §4.4.2) or
 * a JSON body (what Auth0 documents). Anything else is an `invalid_request`.
 */
export function readTokenParams(req: Request): Params {
  const contentType = req.headers['content-type'];
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (!contentType) {
    if (body.length > 0) {
      throw invalidRequest(
        'The request has a body but no Content-Type: send application/x-www-form-urlencoded or application/json.',
      );
    }
    return new Map();
  }
  const charset = charsetOf(contentType);
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw invalidRequest(`The charset "${charset}" is not supported: send UTF-8.`);
  }
  // The header itself, not req.is(), which answers "no" for every type when the body is empty.
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-www-form-urlencoded') return fromForm(body);
  if (mediaType === 'application/json' || /^application\/[^/]+\+json$/.test(mediaType)) {
    if (body.length === 0) return new Map();
    return fromJson(body);
  }
  throw invalidRequest(
    `The Content-Type "${contentType.split(';')[0]!.trim()}" is not supported: send application/x-www-form-urlencoded or application/json.`,
  );
}

/**
 * Auth0 names the target API `audience`; RFC 8707 (and Logto) name it `resource`. oidc-provider
 * only knows `resource`, so `audience` becomes one.
 */
export function audienceToResource(params: Params): void {
  const audience = params.get('audience');
  if (audience === undefined) return;
  params.delete('audience');
  if (audience.length > 1) throw invalidRequest('audience parameter must not be provided twice');
  const resource = params.get('resource');
  if (resource !== undefined && (resource.length !== 1 || resource[0] !== audience[0])) {
    throw invalidRequest('Name the API once: send either audience or resource, not both.');
  }
  params.set('resource', audience);
}

/**
 * The client a `client_assertion` (RFC 7523 §3) claims to come from: its `sub` (what
 * oidc-provider looks the client up by), else its `iss`. Unverified: only for the throttle and logs.
 */
function assertionSubject(assertion: string): string | undefined {
  const payload = assertion.split('.')[1];
  if (payload === undefined || payload.length > 8192) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    if (typeof claims !== 'object' || claims === null) return undefined;
    const { sub, iss } = claims as { sub?: unknown; iss?: unknown };
    if (typeof sub === 'string' && sub !== '') return sub;
    return typeof iss === 'string' && iss !== '' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The client id a request claims, from HTTP Basic (RFC 6749 §2.3.1), a client assertion's `sub`
 * (RFC 7523 §3; the same id as `client_id` when both are sent, or oidc-provider refuses), or the body.
 */
export function claimedClientId(
  authorization: string | undefined,
  params: Params,
): string | undefined {
  const assertion = params.get('client_assertion');
  if (assertion?.length === 1 && !authorization) {
    const subject = assertionSubject(assertion[0]!);
    if (subject !== undefined) return subject;
  }
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (match) {
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      try {
        return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, '%20'));
      } catch {
        return undefined;
      }
    }
    return undefined;
  }
  const fromBody = params.get('client_id');
  return fromBody?.length === 1 ? fromBody[0] : undefined;
}

/** Why a request is refused as a failed client authentication whatever its secret. */
export const ORIGIN_REFUSAL =
  'a request with an Origin header (a browser) is refused: machine clients only, a browser must never hold a client secret';

export interface ReplayOptions {
  clientId: string | undefined;
  /** The issuer's host: oidc-provider never sees the caller's Host header. */
  host: string;
  /** Make the client authentication fail, the same way a wrong secret does. */
  failAuthentication?: string;
}

/** A secret no client has: the provider then refuses exactly as it refuses a wrong guess. */
const NOT_A_SECRET = () => `not-a-secret-${randomBytes(16).toString('base64url')}`;

/**
 * The request again, as the form-encoded stream oidc-provider parses itself (it reads the raw
 * body, and only forms, on its token endpoint).
 */
function replay(req: Request, params: Params, options: ReplayOptions): ReplayedRequest {
  const headers = { ...req.headers };
  if (options.failAuthentication && options.clientId !== undefined) {
    if (params.has('client_assertion')) {
      // Not checked at all: a wrong secret for the claimed client fails it as invalid_client.
      params.delete('client_assertion');
      params.delete('client_assertion_type');
      params.set('client_id', [options.clientId]);
      params.set('client_secret', [NOT_A_SECRET()]);
    } else if (params.has('client_secret') || !headers.authorization) {
      params.set('client_secret', [NOT_A_SECRET()]);
    } else {
      const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
      headers.authorization = `Basic ${Buffer.from(`${encode(options.clientId)}:${NOT_A_SECRET()}`).toString('base64')}`;
    }
  }
  const form = new URLSearchParams();
  for (const [name, values] of params) for (const value of values) form.append(name, value);
  const body = Buffer.from(form.toString(), 'utf8');
  delete headers['transfer-encoding'];
  delete headers['content-encoding'];
  // No CORS for machine clients (and so no Origin-dependent answer), no caller-chosen host.
  delete headers.origin;
  headers.host = options.host;
  headers['content-type'] = 'application/x-www-form-urlencoded';
  headers['content-length'] = String(body.length);
  const stream = Readable.from([body], { objectMode: false });
  return Object.assign(stream, {
    method: 'POST',
    url: PROVIDER_TOKEN_PATH,
    // oidc-provider derives its mount path from originalUrl when it builds URLs.
    originalUrl: `${req.baseUrl}${PROVIDER_TOKEN_PATH}`,
    headers,
    rawHeaders: [],
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    socket: req.socket,
    connection: req.socket,
    claimedClientId: options.clientId,
    refusal: options.failAuthentication,
  }) as unknown as ReplayedRequest;
}

export interface TokenEndpointOptions {
  forward: ForwardToProvider;
  throttle: ClientAuthThrottle;
  logger: Logger;
  /** The issuer URL: its host is the only one oidc-provider sees. */
  issuer: string;
}

/** zlib's own words ("incorrect header check") are not an answer. */
function bodyRefusal(error: HttpError, req: Request): HttpError {
  const encoding = req.headers['content-encoding'];
  if (error.status === 400 && encoding && !(error.cause as { type?: unknown })?.type) {
    return invalidRequest(
      `The request body could not be decoded as Content-Encoding "${encoding}".`,
    );
  }
  return error;
}

/**
 * The token endpoint, at oidc-provider's path and at Auth0's: accepts form or JSON, `audience` or
 * `resource`, then lets oidc-provider authenticate the client and issue the token. Every request
 * that names a client passes the client authentication throttle first.
 */
export function tokenEndpoint({ forward, throttle, logger, issuer }: TokenEndpointOptions): Router {
  const router = express.Router();
  const host = new URL(issuer).host;

  const refuse = (error: HttpError, clientId: string | undefined): never => {
    logger.warn('token refused', {
      error: error.code,
      client_id: clientId,
      reason: error.message,
    });
    throw error;
  };

  const handle: RequestHandler = async (req, res) => {
    let params: Params;
    try {
      params = readTokenParams(req);
      audienceToResource(params);
    } catch (error) {
      if (error instanceof HttpError) refuse(error, undefined);
      throw error;
    }
    const clientId = claimedClientId(req.headers.authorization, params!);
    const address = req.socket.remoteAddress ?? 'unknown';
    if (clientId !== undefined) {
      let admission: Admission;
      try {
        admission = await throttle.admit(clientId, address);
      } catch (error) {
        if (error instanceof HttpError) refuse(error, clientId);
        throw error;
      }
      // Anything but invalid_client gives the attempt back: the client authenticated, or its
      // secret was never looked at.
      res.once('finish', () => admission.settle(res.statusCode !== 401));
      // A request abandoned before its answer counts as a failure.
      res.once('close', () => admission.settle(false));
    }
    const failAuthentication = req.headers.origin !== undefined ? ORIGIN_REFUSAL : undefined;
    await forward(replay(req, params!, { clientId, host, failAuthentication }), res);
  };

  const body = parseBody(express.raw({ type: () => true, limit: TOKEN_BODY_LIMIT }));
  // HttpErrors of the handler are logged where they are thrown; the body parser's here.
  const readBody: RequestHandler = (req, res, next) =>
    body(req, res, (error?: unknown) => {
      if (error instanceof HttpError) {
        const refusal = bodyRefusal(error, req);
        logger.warn('token refused', { error: refusal.code, reason: refusal.message });
        next(refusal);
        return;
      }
      next(error);
    });

  // RFC 6749 §5.1: no cache may keep a token (oidc-provider sets Cache-Control: no-store).
  const noCache: RequestHandler = (_req, res, next) => {
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    next();
  };

  const methodNotAllowed: RequestHandler = (req) => {
    throw new HttpError(
      405,
      'invalid_request',
      `The token endpoint only accepts POST, not ${req.method}.`,
      { headers: { Allow: 'POST' } },
    );
  };

  router.post([...TOKEN_PATHS], noCache, readBody, handle);
  router.all([...TOKEN_PATHS], methodNotAllowed);
  return router;
}
