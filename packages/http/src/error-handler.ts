import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '@repo/logger';
import { HttpError } from './http-error.js';

interface ExposedError {
  status: number;
  error: string;
  description: string;
  headers: Record<string, string>;
}

/** Errors thrown by body parsers and by express-oauth2-jwt-bearer carry a status and `expose`. */
interface StatusError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  code?: string;
  message?: string;
  headers?: Record<string, string>;
}

const BODY_ERRORS: Record<string, string> = {
  'entity.parse.failed': 'The request body is not valid JSON.',
  'entity.too.large': 'The request body is too large.',
  'encoding.unsupported': 'The request body encoding is not supported.',
  'charset.unsupported': 'The request body charset is not supported.',
  'request.aborted': 'The request was aborted.',
};

function exposed(error: unknown): ExposedError | undefined {
  if (error instanceof HttpError) {
    return { ...error, description: error.description, headers: { ...error.headers } };
  }
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as StatusError;
  const status = e.status ?? e.statusCode;
  // A 5xx is shown only when its thrower says so (`expose: true`, e.g. @repo/auth's 503).
  if (!status || status < 400 || e.expose === false) return undefined;
  if (status >= 500 && e.expose !== true) return undefined;
  if (e.type && e.type in BODY_ERRORS) {
    return { status, error: 'invalid_request', description: BODY_ERRORS[e.type]!, headers: {} };
  }
  // express-oauth2-jwt-bearer: `code` is the RFC 6750 error, `headers` its WWW-Authenticate.
  const code = typeof e.code === 'string' && /^[a-z_]+$/.test(e.code) ? e.code : undefined;
  return {
    status,
    error: code ?? (status === 401 ? 'invalid_token' : 'invalid_request'),
    description: e.message || 'The request was refused.',
    headers: e.headers ?? {},
  };
}

/**
 * The one error middleware. Errors meant for the caller keep their status and headers and become
 * `{error, error_description}`; anything else is logged with its stack and answered as a generic
 * 500 `server_error` that reveals nothing.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const known = exposed(error);
    if (known) {
      res.status(known.status).set(known.headers);
      res.json({ error: known.error, error_description: known.description });
      return;
    }
    (req.log ?? logger).error('unhandled error', {
      err: error,
      method: req.method,
      path: req.path,
    });
    res.status(500).json({
      error: 'server_error',
      error_description: 'The server met an unexpected condition.',
    });
  };
}

/** JSON 404 for any route nobody answered. */
export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({
    error: 'not_found',
    error_description: `No route for ${req.method} ${req.path}.`,
  });
};
