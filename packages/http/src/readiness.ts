import type { RequestHandler } from 'express';

/** What one readiness check found: `ok`, and when not, why; other fields are details. */
export interface CheckResult {
  ok: boolean;
  /** Why the check failed, in words an operator can act on. */
  reason?: string;
  [detail: string]: unknown;
}

/** One named check of {@link readinessHandler}; a thrown error counts as a failure. */
export type ReadinessCheck = () => CheckResult | Promise<CheckResult>;

/** Options of {@link readinessHandler}. */
export interface ReadinessOptions {
  /**
   * How long one result answers every `/readyz` call, in ms (callers during a run share it too).
   * Default 2 000: unauthenticated calls cannot turn into a stream of requests to the
   * authorization server. 0 runs the checks for every call.
   */
  cacheMs?: number;
}

/**
 * `GET /readyz` for every service: runs the named checks together and answers 200
 * `{"status":"ready","checks":{name:{"status":"ok",…}}}`, or 503 `{"status":"not_ready",…}` with
 * each failing check as `{"status":"fail","reason":…}`. One run answers for `cacheMs` (2 s).
 */
export function readinessHandler(
  checks: Readonly<Record<string, ReadinessCheck>>,
  { cacheMs = 2_000 }: ReadinessOptions = {},
): RequestHandler {
  const names = Object.keys(checks);
  const run = async () => {
    const results = await Promise.all(
      names.map(async (name) => {
        try {
          return await checks[name]!();
        } catch (error) {
          return { ok: false, reason: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const ready = results.every((result) => result.ok);
    const body = Object.fromEntries(
      results.map(({ ok, ...details }, i) => [
        names[i],
        { status: ok ? 'ok' : 'fail', ...details },
      ]),
    );
    return { ready, body };
  };
  let cached: { at: number; answer: ReturnType<typeof run> } | undefined;
  return async (_req, res) => {
    const now = Date.now();
    // A clock set back expires it too.
    if (!cached || now - cached.at >= cacheMs || now < cached.at)
      cached = { at: now, answer: run() };
    const { ready, body } = await cached.answer;
    res
      .status(ready ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: ready ? 'ready' : 'not_ready', checks: body });
  };
}
