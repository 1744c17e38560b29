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

/**
 * `GET /readyz` for every service: runs the named checks together and answers 200
 * `{"status":"ready","checks":{name:{"status":"ok",…}}}`, or 503 `{"status":"not_ready",…}` with
 * each failing check as `{"status":"fail","reason":…}`.
 */
export function readinessHandler(checks: Readonly<Record<string, ReadinessCheck>>): RequestHandler {
  const names = Object.keys(checks);
  return async (_req, res) => {
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
    res
      .status(ready ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: ready ? 'ready' : 'not_ready', checks: body });
  };
}
