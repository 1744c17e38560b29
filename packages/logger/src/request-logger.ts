import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type winston from 'winston';
import type { Logger } from './create-logger.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The request's id, from `X-Request-Id` or freshly made. */
      id: string;
      /** A child logger whose lines carry `requestId`. */
      log: Logger;
    }
  }
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Polled, not acted on: health probes (Docker and orchestrators, every few seconds) and an issuer's
 * metadata (every resource server refreshes discovery and the JWKS while in use). Their lines are
 * at debug, so that the log tells what the services do.
 */
const ROUTINE_PATHS = new Set([
  '/healthz',
  '/readyz',
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
  '/.well-known/jwks.json',
  '/jwks',
]);

/** Providers of extra fields for a request's line, registered by later middleware. */
const EXTRA_FIELDS = Symbol('requestLogFields');

/** What a request's line already knows, handed to the providers of extra fields. */
export interface RequestLogLine {
  method: string;
  status: number;
}

type FieldsProvider = (line: RequestLogLine) => Record<string, unknown>;

type LoggedRequest = IncomingMessage & {
  id?: string;
  log?: Logger;
  originalUrl?: string;
  [EXTRA_FIELDS]?: FieldsProvider[];
};

/** Copies the fields of `extra` that `info` lacks: the line's own fields (and level) always win. */
function addMissing(info: Record<string, unknown>, extra: Record<string, unknown>): void {
  for (const key of Object.keys(extra)) if (!(key in info)) info[key] = extra[key];
}

/**
 * Puts a middleware's facts on the request's one log line (written when the response is done)
 * instead of a second line: protectApi's audit rides on it. `fields` is called once, at the end,
 * with the line's method and status; it cannot override the line's own fields (level, message,
 * service, requestId, method, path, status, durationMs). Returns false when no
 * {@link requestLogger} handles this request, so the caller logs itself.
 */
export function addRequestLogFields(req: IncomingMessage, fields: FieldsProvider): boolean {
  const providers = (req as LoggedRequest)[EXTRA_FIELDS];
  if (!providers) return false;
  providers.push(fields);
  return true;
}

/**
 * Express middleware: takes the caller's `X-Request-Id` (or makes one), echoes it on the response,
 * gives handlers `req.log` carrying it, and logs one line per request when the response is done:
 * method, path (without the query string), status, duration, and whatever middleware added with
 * {@link addRequestLogFields}. The line is at info, at error for a 5xx, and at debug for an
 * answered health probe (`/healthz`, `/readyz`) or request for an issuer's discovery document or
 * JWKS.
 */
export function requestLogger(logger: Logger) {
  return (req: LoggedRequest, res: ServerResponse, next: () => void): void => {
    const started = process.hrtime.bigint();
    const offered = req.headers['x-request-id'];
    const id = typeof offered === 'string' && SAFE_ID.test(offered) ? offered : randomUUID();
    req.id = id;
    req.log = logger.child({ requestId: id });
    const providers: FieldsProvider[] = [];
    req[EXTRA_FIELDS] = providers;
    res.setHeader('X-Request-Id', id);
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
      const method = req.method ?? '';
      const status = res.statusCode;
      // The line as winston's one-argument form takes it: what req.log.log(level, 'request',
      // fields) would write, without the two copies of every field that form makes on the way.
      const info: winston.LogEntry = {
        level: status >= 500 ? 'error' : ROUTINE_PATHS.has(path ?? '') ? 'debug' : 'info',
        message: 'request',
        requestId: id,
        method,
        path,
        status,
        durationMs: Math.round(durationMs * 10) / 10,
      };
      if (providers.length > 0) {
        const line: RequestLogLine = { method, status };
        for (const provide of providers) addMissing(info, provide(line));
      }
      logger.log(info);
    });
    next();
  };
}
