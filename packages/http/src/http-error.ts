/**
 * An error meant for the caller: it becomes `{error, error_description}` with its status and
 * headers (e.g. `WWW-Authenticate`). The error codes are OAuth's where one fits (RFC 6749 §5.2,
 * RFC 6750 §3.1) and otherwise short snake_case words (`not_found`, `no_route`).
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(description);
  }
}

/** 400 `invalid_request`: the caller sent something malformed. */
export const invalidRequest = (description: string) =>
  new HttpError(400, 'invalid_request', description);

/** 404 `not_found`. */
export const notFound = (description: string) => new HttpError(404, 'not_found', description);
