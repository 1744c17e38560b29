/**
 * The authorization server could not be reached or answered a transient failure (network error,
 * timeout, 408, 429, 5xx): trying again later may work.
 */
export class IssuerUnavailableError extends Error {
  override name = 'IssuerUnavailableError';
  readonly retryable = true;
  /** The HTTP status, if an answer came. */
  readonly status: number | undefined;
  /** The answer's `Retry-After` header, as sent. */
  readonly retryAfter: string | undefined;

  constructor(
    message: string,
    options: { status?: number; retryAfter?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.retryAfter = options.retryAfter;
  }
}

/**
 * The authorization server answered, but not with usable metadata (404, not JSON, no `jwks_uri`
 * …): a configuration problem, not worth retrying soon.
 */
export class IssuerMetadataError extends Error {
  override name = 'IssuerMetadataError';
  readonly retryable = false;
}
