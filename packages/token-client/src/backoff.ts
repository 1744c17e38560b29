/** Options of {@link backoffDelay}. */
export interface BackoffOptions {
  /** The first step, in ms; it doubles with each attempt. */
  baseMs: number;
  /** The longest step, in ms. */
  maxMs: number;
  /** What the server asked for (`Retry-After`, in ms): the delay is never shorter. */
  retryAfterMs?: number | undefined;
  /** Jitter source in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/**
 * How long to wait after the `attempt`-th failure (1-based): capped exponential backoff with
 * "equal jitter" — half the step plus a random part of the other half, so a fleet of clients
 * spreads out without any retrying at once — and never less than the server's `Retry-After`.
 *
 * @example backoffDelay(3, { baseMs: 500, maxMs: 10_000 }) // between 1 000 and 2 000
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const { baseMs, maxMs, retryAfterMs, random = Math.random } = options;
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(step / 2 + random() * (step / 2));
  return retryAfterMs === undefined ? jittered : Math.max(jittered, retryAfterMs);
}

/**
 * A `Retry-After` header (delay in seconds, or an HTTP date) in milliseconds from `now`;
 * undefined when absent or unreadable.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
