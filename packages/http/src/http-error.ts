/** Options of {@link HttpError}. */
export interface HttpErrorOptions {
  /** Response headers that belong to the refusal (`WWW-Authenticate`, `Retry-After`, `Allow`). */
  headers?: Readonly<Record<string, string>>;
  /** Whether the caller may see `code` and `message`. Default: `true` below 500, `false` from 500. */
  expose?: boolean;
  cause?: unknown;
}

/**
 * The one error type meant for the caller: errorHandler renders it as `{error, error_description}`
 * with its status and headers. Codes are OAuth's where one fits (RFC 6749 §5.2, RFC 6750 §3.1) and
 * otherwise short snake_case words (`not_found`, `no_route`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly headers: Readonly<Record<string, string>>;
  readonly expose: boolean;

  /**
   * An exposed refusal below 500 is answered and never logged, so no stack frames are captured
   * for it (its `stack` is the bare `name: message` line): capturing them was the largest cost of
   * a 401. Errors that may be logged (5xx, `expose: false`) keep their stack.
   */
  constructor(
    /** The HTTP status. */
    readonly status: number,
    /** The body's `error`. */
    readonly code: string,
    /** The body's `error_description`. */
    message: string,
    options: HttpErrorOptions = {},
  ) {
    const expose = options.expose ?? status < 500;
    const limit = Error.stackTraceLimit;
    if (expose && status < 500) Error.stackTraceLimit = 0;
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    Error.stackTraceLimit = limit;
    this.headers = options.headers ?? {};
    this.expose = expose;
  }
}

/** 400 `invalid_request`: the caller sent something malformed. */
export const invalidRequest = (description: string) =>
  new HttpError(400, 'invalid_request', description);

/** 404 `not_found`. */
export const notFound = (description: string) => new HttpError(404, 'not_found', description);

/** A wait in milliseconds as a `Retry-After` value: whole seconds, rounded up, at least 1. */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
