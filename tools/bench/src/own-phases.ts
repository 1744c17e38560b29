/**
 * The phases that start what they measure themselves (no shared stack): how `npm run bench` and
 * `npm run bench:phase` run them, and how their section of docs/benchmarks.md reads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@repo/testkit';
import { startApp } from 'demo-stack';
import type { Phase } from './report.js';
import { logCostSection } from './log-cost/report.js';
import { measureLogCost, type LogCostResult } from './phases/log-cost.js';
import { measureRandomPairs, type RandomPairsResult } from './phases/random-pairs.js';
import { measureRealRoutes, type RealRoutesResult } from './phases/real-routes.js';
import { measureTokenLimit, type TokenLimitResult } from './phases/token-limit.js';
import { measureReplicas, type ReplicasResult } from './phases/replicas.js';
import { measureStartAlone, type StartAloneResult } from './phases/start-alone.js';
import { measureThrottleStore, type ThrottleStoreResult } from './phases/throttle-store.js';
import { randomPairsSection } from './random-pairs/report.js';
import { realRoutesSection } from './real-routes/report.js';
import { replicasSection } from './replicas/report.js';
import { startAloneSection } from './start-alone/report.js';
import { throttleStoreSection } from './throttle-store/report.js';
import { tokenLimitSection } from './token-limit/report.js';

const number = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

export interface Runner<T> {
  /** The progress line's words. */
  title: string;
  /** Its section's heading in docs/benchmarks.md. */
  heading: string;
  run(progress: (line: string) => void): Promise<T>;
  markdown(figures: T): string[];
}

const tokenLimit: Runner<TokenLimitResult> = {
  title: 'token endpoint against the raw signing rate of its key',
  heading: 'The token endpoint against the raw signing rate of its key',
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
  heading: "worldmappers-api's own routes, unprotected and protected, and its refusals",
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

const startAlone: Runner<StartAloneResult> = {
  title: 'worldmappers-api started on its own',
  heading: 'worldmappers-api started on its own',
  run: (progress) => measureStartAlone({ starts: number('BENCH_STARTS', 5), progress }),
  markdown: startAloneSection,
};

const randomPairs: Runner<RandomPairsResult> = {
  title: 'directions over 3,200 seeded random pairs of towns: the worst case',
  heading: 'Directions over random pairs of towns: the worst case',
  run: () => Promise.resolve(measureRandomPairs()),
  markdown: randomPairsSection,
};

const logCost: Runner<LogCostResult> = {
  title: "the request log line's cost",
  heading: "The request log line's cost",
  run: () => measureLogCost(),
  markdown: logCostSection,
};

const throttleStore: Runner<ThrottleStoreResult> = {
  title: "the client-auth throttle's store: Redis beside memory, per token request",
  heading: "The client-auth throttle's store: Redis beside memory, per token request",
  run: (progress) =>
    measureThrottleStore({ processes: number('BENCH_THROTTLE_PROCESSES', 3), progress }),
  markdown: throttleStoreSection,
};

const replicas: Runner<ReplicasResult> = {
  title: 'giftdeliveries replicas on PostgreSQL: deliveries planned per second, claim latency',
  heading: 'giftdeliveries replicas on PostgreSQL: deliveries planned per second, claim latency',
  run: (progress) =>
    measureReplicas({
      rounds: number('BENCH_REPLICA_ROUNDS', 2),
      deliveries: number('BENCH_REPLICA_DELIVERIES', 600),
      progress,
    }),
  markdown: replicasSection,
};

export const phaseRunners = {
  'start-alone': startAlone,
  'token-limit': tokenLimit,
  'real-routes': realRoutes,
  'random-pairs': randomPairs,
  'log-cost': logCost,
  'throttle-store': throttleStore,
  replicas,
};

/** The figures of these phases in a report (absent from reports older than issue 23). */
export interface OwnPhases {
  startAlone?: Phase<StartAloneResult>;
  tokenLimit?: Phase<TokenLimitResult>;
  realRoutes?: Phase<RealRoutesResult>;
  randomPairs?: Phase<RandomPairsResult>;
  logCost?: Phase<LogCostResult>;
  throttleStore?: Phase<ThrottleStoreResult>;
  replicas?: Phase<ReplicasResult>;
}

const KEYS = {
  'start-alone': 'startAlone',
  'token-limit': 'tokenLimit',
  'real-routes': 'realRoutes',
  'random-pairs': 'randomPairs',
  'log-cost': 'logCost',
  'throttle-store': 'throttleStore',
  replicas: 'replicas',
} as const;

/** Runs every phase of this module through `npm run bench`'s `phase` (its timing and errors). */
export async function runOwnPhases(
  phase: <T>(name: string, run: () => Promise<T>) => Promise<Phase<T>>,
  progress: (line: string) => void,
): Promise<OwnPhases> {
  const out: OwnPhases = {};
  for (const [name, runner] of Object.entries(phaseRunners)) {
    const key = KEYS[name as keyof typeof KEYS];
    (out as Record<string, unknown>)[key] = await phase(runner.title, () =>
      (runner as Runner<unknown>).run(progress),
    );
  }
  return out;
}

/** Their sections of docs/benchmarks.md, in the order they run. */
export function ownSections(report: OwnPhases): string[] {
  const md: string[] = [];
  for (const [name, runner] of Object.entries(phaseRunners)) {
    const result = report[KEYS[name as keyof typeof KEYS]];
    if (!result) continue;
    md.push(`## ${runner.heading}`, '');
    if (result.ok) md.push(...(runner as Runner<unknown>).markdown(result.figures));
    else md.push(`not measured: ${result.error}`, '');
  }
  return md;
}
