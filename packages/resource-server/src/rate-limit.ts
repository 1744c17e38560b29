import type { Request, RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { HttpError, retryAfterSeconds } from '@repo/http';

/** Options of {@link clientRateLimit}. */
export interface ClientRateLimitOptions {
  /** Requests per second each client may make; `0` turns the limit off. */
  requestsPerSecond: number;
}

/** The policy's name in the `RateLimit-Policy` and `RateLimit` headers. */
const POLICY = 'default';

/** Who is calling: the authenticated client (RFC 9068 `client_id`; `azp`, `sub` otherwise). */
function clientOf(req: Request): string | undefined {
  const payload = req.auth?.payload;
  for (const claim of ['client_id', 'azp', 'sub'] as const) {
    const value = payload?.[claim];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/**
 * A per-client request rate limit for a protected API, on rate-limiter-flexible's memory store
 * (a fixed window of one second per client); mount it after `authenticate`, so the key is the
 * verified client and not anything a caller can make up. Every answer carries the IETF draft's
 * headers (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy: "default";q=<limit>;w=1`
 * and `RateLimit: "default";r=<remaining>;t=<seconds to reset>`; past the limit, 429
 * `rate_limited` with `Retry-After`. Requests without a verified client pass untouched.
 *
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/
 */
export function clientRateLimit({ requestsPerSecond }: ClientRateLimitOptions): RequestHandler {
  if (!Number.isInteger(requestsPerSecond) || requestsPerSecond < 0) {
    throw new TypeError('clientRateLimit: requestsPerSecond must be an integer of 0 or more');
  }
  if (requestsPerSecond === 0) return (_req, _res, next) => next();
  const limiter = new RateLimiterMemory({ points: requestsPerSecond, duration: 1 });
  const policy = `"${POLICY}";q=${requestsPerSecond};w=1`;
  const state = (res: RateLimiterRes) =>
    `"${POLICY}";r=${res.remainingPoints};t=${retryAfterSeconds(res.msBeforeNext)}`;

  return (req, res, next) => {
    const client = clientOf(req);
    if (client === undefined) {
      next();
      return;
    }
    limiter.consume(client).then(
      (allowed) => {
        res.setHeader('RateLimit-Policy', policy);
        res.setHeader('RateLimit', state(allowed));
        next();
      },
      (refused: unknown) => {
        if (!(refused instanceof RateLimiterRes)) {
          next(refused);
          return;
        }
        const seconds = retryAfterSeconds(refused.msBeforeNext);
        next(
          new HttpError(
            429,
            'rate_limited',
            `Too many requests: this API allows ${requestsPerSecond} requests per second per client; retry after ${seconds} s.`,
            {
              headers: {
                'Retry-After': String(seconds),
                'RateLimit-Policy': policy,
                RateLimit: `"${POLICY}";r=0;t=${seconds}`,
              },
            },
          ),
        );
      },
    );
  };
}
