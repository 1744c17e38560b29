/**
 * The phases that start what they measure themselves (no shared stack): how `npm run bench` and
 * `npm run bench:phase` run them, and how their section of docs/benchmarks.md reads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@repo/testkit';
import { startApp } from 'demo-stack';
import { measureRealRoutes, type RealRoutesResult } from './phases/real-routes.js';
import { measureTokenLimit, type TokenLimitResult } from './phases/token-limit.js';
import { realRoutesSection } from './real-routes/report.js';
import { tokenLimitSection } from './token-limit/report.js';

const number = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

interface Runner<T> {
  title: string;
  run(progress: (line: string) => void): Promise<T>;
  markdown(figures: T): string[];
}

const tokenLimit: Runner<TokenLimitResult> = {
  title: 'token endpoint against the raw signing rate of its key',
  run: (progress) =>
    measureTokenLimit({
      processes: number('BENCH_TOKEN_PROCESSES', 6),
      progress,
      ...(process.env.BENCH_PROFILE_DIR && { profileDir: process.env.BENCH_PROFILE_DIR }),
    }),
  markdown: tokenLimitSection,
};

/** Runs `use` with an auth-server of its own (fresh keys), stopped afterwards. */
async function withAuthServer<T>(use: (issuer: string) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-auth-'));
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}/`;
  const auth = await startApp('auth-server', {
    port,
    env: { LOG_LEVEL: 'info', ISSUER: issuer, DATA_DIR: dataDir },
    timeoutMs: 60_000,
  });
  try {
    return await use(issuer);
  } finally {
    await auth.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const realRoutes: Runner<RealRoutesResult> = {
  title: "worldmappers-api's own routes, unprotected and protected, and its refusals",
  run: (progress) =>
    withAuthServer((issuerBaseURL) =>
      measureRealRoutes({
        issuerBaseURL,
        token: '',
        rounds: number('BENCH_ROUTES_ROUNDS', 6),
        processes: number('BENCH_ROUTES_PROCESSES', 2),
        roundSeconds: number('BENCH_ROUND_SECONDS', 2),
        warmupSeconds: number('BENCH_ROUTES_WARMUP_SECONDS', 2),
        connections: number('BENCH_CONNECTIONS', 50),
        progress,
      }),
    ),
  markdown: realRoutesSection,
};

export const phaseRunners = { 'token-limit': tokenLimit, 'real-routes': realRoutes };
