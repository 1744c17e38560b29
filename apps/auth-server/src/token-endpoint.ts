import { Readable } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { HttpError, invalidRequest, parseBody } from '@repo/http';
import type { Logger } from '@repo/logger';
import type { ClientAuthLimiter } from './client-auth-limiter.js';

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

function fromJson(body: Buffer): Params {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeText(body));
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw invalidRequest('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest('The JSON request body must be an object of parameters.');
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
  if (req.is('application/x-www-form-urlencoded')) return fromForm(body);
  if (req.is(['application/json', '+json'])) return fromJson(body);
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

/** The client id a request claims, from HTTP Basic (RFC 6749 §2.3.1) or the body. */
export function claimedClientId(
  authorization: string | undefined,
  params: Params,
): string | undefined {
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

/**
 * The request again, as the form-encoded stream oidc-provider parses itself (it reads the raw
 * body, and only forms, on its token endpoint).
 */
function replay(req: Request, params: Params, clientId: string | undefined): ReplayedRequest {
  const form = new URLSearchParams();
  for (const [name, values] of params) for (const value of values) form.append(name, value);
  const body = Buffer.from(form.toString(), 'utf8');
  const headers = { ...req.headers };
  delete headers['transfer-encoding'];
  delete headers['content-encoding'];
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
    claimedClientId: clientId,
  }) as unknown as ReplayedRequest;
}

export interface TokenEndpointOptions {
  forward: ForwardToProvider;
  limiter: ClientAuthLimiter;
  logger: Logger;
}

/**
 * The token endpoint, at oidc-provider's path and at Auth0's: accepts form or JSON, `audience` or
 * `resource`, then lets oidc-provider authenticate the client and issue the token. Failed client
 * authentications are counted per client id and address; too many answer 429.
 */
export function tokenEndpoint({ forward, limiter, logger }: TokenEndpointOptions): Router {
  const router = express.Router();

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
      const retryAfter = limiter.retryAfterSeconds(clientId, address);
      if (retryAfter > 0) {
        refuse(
          new HttpError(
            429,
            'too_many_attempts',
            `Too many failed authentications for client "${clientId}" from this address; try again in ${retryAfter} s.`,
            { headers: { 'Retry-After': String(retryAfter) } },
          ),
          clientId,
        );
      }
      res.once('finish', () => {
        if (res.statusCode === 401) limiter.recordFailure(clientId, address);
        else if (res.statusCode === 200) limiter.recordSuccess(clientId, address);
      });
    }
    await forward(replay(req, params!, clientId), res);
  };

  const body = parseBody(express.raw({ type: () => true, limit: TOKEN_BODY_LIMIT }));
  // HttpErrors of the handler are logged where they are thrown; the body parser's here.
  const readBody: RequestHandler = (req, res, next) =>
    body(req, res, (error?: unknown) => {
      if (error instanceof HttpError) {
        logger.warn('token refused', { error: error.code, reason: error.message });
      }
      next(error);
    });

  const methodNotAllowed: RequestHandler = (req) => {
    throw new HttpError(
      405,
      'invalid_request',
      `The token endpoint only accepts POST, not ${req.method}.`,
      { headers: { Allow: 'POST' } },
    );
  };

  router.post([...TOKEN_PATHS], readBody, handle);
  router.all([...TOKEN_PATHS], methodNotAllowed);
  return router;
}
