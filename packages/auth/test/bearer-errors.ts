import type { ErrorRequestHandler } from 'express';
import { BearerError } from '../src/index.js';

/**
 * The tests' error middleware: the same mapping as `errorHandler` of @repo/http (status, headers
 * such as `WWW-Authenticate`, `{error, error_description}`), kept local so this package stays a leaf.
 */
export const bearerErrors: ErrorRequestHandler = (error, _req, res, _next) => {
  if (error instanceof BearerError) {
    res.status(error.status).set(error.headers);
    res.json({ error: error.code, error_description: error.message });
    return;
  }
  res.status(500).json({ error: 'server_error', error_description: String(error) });
};
