import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '@repo/logger';
import { HttpError } from './http-error.js';

/**
 * The one error middleware. An exposed {@link HttpError} keeps its status and headers and becomes
 * `{error, error_description}`; anything else is logged with its stack and answered as a generic
 * 500 `server_error` that reveals nothing.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof HttpError && error.expose) {
      res.status(error.status).set(error.headers);
      res.json({ error: error.code, error_description: error.message });
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
