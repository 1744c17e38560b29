import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '@repo/logger';
import { HttpError, invalidRequest } from './http-error.js';

const UNDECODABLE_PATH = 'The request path is not valid percent-encoding (RFC 3986 section 2.1).';

/**
 * The one error middleware. An exposed {@link HttpError} keeps its status and headers and becomes
 * `{error, error_description}` (so does a path Express cannot decode, as 400); anything else is logged with its stack and answered as a generic
 * 500 `server_error` that reveals nothing.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    // Express's router could not decode a percent-encoded path parameter: the caller's mistake.
    const known = error instanceof URIError ? invalidRequest(UNDECODABLE_PATH) : error;
    if (known instanceof HttpError && known.expose) {
      res.status(known.status).set(known.headers);
      res.json({ error: known.code, error_description: known.message });
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
