import type { RequestHandler } from 'express';
import { HttpError } from './http-error.js';

/** body-parser's error types, in words a caller can act on. */
const BODY_ERRORS: Record<string, string> = {
  'entity.parse.failed': 'The request body is not valid JSON.',
  'entity.too.large': 'The request body is too large.',
  'encoding.unsupported':
    'The request body encoding is not supported: send it as is, or with Content-Encoding gzip, deflate or br.',
  'charset.unsupported': 'The request body charset is not supported.',
  'request.aborted': 'The request was aborted.',
};

/**
 * Wraps a body parser (`express.json()`, `express.raw()` …) so that its refusals become
 * {@link HttpError}s (`invalid_request` with the parser's 4xx status); the error handler then
 * needs to know only one error type.
 */
export function parseBody(parser: RequestHandler): RequestHandler {
  return (req, res, next) => {
    void parser(req, res, (error?: unknown) => {
      if (error === undefined || error === 'route' || error === 'router') {
        next(error);
        return;
      }
      const { status, type, errno } = error as {
        status?: unknown;
        type?: unknown;
        errno?: unknown;
      };
      const encoding = req.headers['content-encoding']?.trim().toLowerCase();
      // A zlib error (it has an errno) while inflating: its text ("incorrect header check")
      // stays in the cause, for the log only.
      const description =
        typeof type === 'string'
          ? BODY_ERRORS[type]
          : typeof errno === 'number' && encoding
            ? `The request body is not valid ${encoding} data, as its Content-Encoding says.`
            : undefined;
      next(
        typeof status === 'number' && status >= 400 && status < 500
          ? new HttpError(
              status,
              'invalid_request',
              description ?? 'The request body was refused.',
              {
                cause: error,
              },
            )
          : error,
      );
    });
  };
}
