/**
 * `npm run bench`: every performance figure of the project in one run on 127.0.0.1, printed as a
 * table and written to docs/benchmarks.md and docs/benchmarks.json. Not part of `npm test`.
 *
 * Phases: cold start (the three services spawned at once → first delivery planned, and their
 * memory), token economy, directions/geocode latency, authorization overhead, and the services'
 * HTTP server against Node's plain one. The services started for the cold start serve the later
 * phases.
 *
 * Knobs (environment): BENCH_ROUNDS (12), BENCH_PROCESSES (6), BENCH_ROUND_SECONDS (2),
 * BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (50), BENCH_DPOP_ROUNDS (6), BENCH_DPOP_REQUESTS (500),
 * BENCH_OUT (the docs folder).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from 'demo-stack';
import { giftdeliveriesTokens } from './demo-client.js';
import { measureAppServer } from './phases/app-server.js';
import { measureClientAuth } from './phases/client-auth.js';
import { measureDirections } from './phases/directions.js';
import { measureDpopCost } from './phases/dpop-cost.js';
import { measureOverhead } from './phases/overhead.js';
import { measureTokenEconomy } from './phases/token-economy.js';
import { runOwnPhases } from './own-phases.js';
import { renderMarkdown, renderSummary, type BenchReport, type Phase } from './report.js';
import {
  coldStart,
  medianColdStart,
  rssMiB,
  type ColdStartResult,
  type Stack,
} from './services.js';

const say = (line: string) => process.stdout.write(`${line}\n`);
const number = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

async function phase<T>(name: string, run: () => Promise<T>): Promise<Phase<T>> {
  const t0 = performance.now();
  say(`▶ ${name}`);
  try {
    const figures = await run();
    say(`✔ ${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    return { ok: true, figures };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    say(`✘ ${name}: ${message}`);
    return { ok: false, error: message };
  }
}

const started = performance.now();
const machine: BenchReport['machine'] = {
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  cores: cpus().length,
  memoryGiB: totalmem() / 1024 ** 3,
  node: process.version,
  os: `${type()} ${release()}`,
  loadAverage: { start: loadavg()[0] ?? 0, end: 0 },
  date: new Date().toISOString(),
};
say(
  `bench on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage.start.toFixed(2)}`,
);

let stack: Stack | undefined;
const coldStarts = number('BENCH_COLD_STARTS', 3);
const cold = await phase(
  `cold start × ${coldStarts}: auth-server + worldmappers-api + giftdeliveries → first delivery planned`,
  async () => {
    const starts: ColdStartResult[] = [];
    for (let i = 0; i < coldStarts; i++) {
      const started = await coldStart();
      starts.push(started.result);
      say(
        `  start ${i + 1}/${coldStarts}: first delivery planned after ${started.result.plannedMs.toFixed(0)} ms`,
      );
      // The last start's services serve the phases that follow.
      if (i < coldStarts - 1) await started.stack.stop();
      else stack = started.stack;
    }
    return medianColdStart(starts);
  },
);

const noStack = { ok: false as const, error: 'the services did not start (see cold start)' };

const tokenEconomy = stack
  ? await phase('token economy: 10 000 getAccessToken() calls at concurrency 200', () =>
      measureTokenEconomy({
        issuer: stack!.issuer,
        auth: stack!.auth,
        calls: 10_000,
        concurrency: 200,
      }),
    )
  : noStack;

const clientAuth = stack
  ? await phase(
      'token endpoint: client_secret_post vs private_key_jwt, 8 rounds × 40 requests each',
      () =>
        measureClientAuth({
          issuer: stack!.issuer,
          auth: stack!.auth,
          jwksFile: join(stack!.authDataDir, 'clients', 'giftdeliveries-keys.jwks.json'),
        }),
    )
  : noStack;

const directions = stack
  ? await phase('directions and geocode latency over HTTP', () =>
      measureDirections({
        issuer: stack!.issuer,
        baseUrl: stack!.worldmappers.url,
        rounds: 5,
        geocodeRounds: 10,
      }),
    )
  : noStack;

// Many short rounds rather than a few long ones: a shared machine's speed drifts within seconds,
// and each round's ratios are taken between variants measured moments apart.
const rounds = number('BENCH_ROUNDS', 12);
const roundSeconds = number('BENCH_ROUND_SECONDS', 2);
const warmupSeconds = number('BENCH_WARMUP_SECONDS', 3);
// Fresh server processes for every two rounds: on this virtual machine one process of the same
// code can run at half the speed of the next for its whole life, so one unlucky process per
// variant must not decide the ratio.
const processes = number('BENCH_PROCESSES', 6);
const connections = number('BENCH_CONNECTIONS', 50);
let token: string | undefined;
/** A side-by-side phase's settings; the first phase that runs fetches the one token both use. */
const sideBySide = async (rounds: number, processes: number) => ({
  issuerBaseURL: stack!.issuer,
  token: (token ??= await giftdeliveriesTokens(stack!.issuer).getAccessToken()),
  rounds,
  processes,
  roundSeconds,
  warmupSeconds,
  connections,
  progress: say,
});
const overhead = stack
  ? await phase(
      `authorization overhead: 4 variants × ${rounds} rounds × ${roundSeconds} s in ${processes} set${processes === 1 ? '' : 's'} of processes (+ ${warmupSeconds} s warm-up each)`,
      async () => measureOverhead(await sideBySide(rounds, processes)),
    )
  : noStack;

// Half the overhead phase's rounds and sets of processes: one comparison of two, not four.
const appServerRounds = Math.max(2, Math.round(rounds / 2));
const appServerProcesses = Math.max(1, Math.round(processes / 2));
const appServer = stack
  ? await phase(
      `app server: http.createServer vs createAppServer × ${appServerRounds} rounds × ${roundSeconds} s in ${appServerProcesses} pair${appServerProcesses === 1 ? '' : 's'} of processes (+ ${warmupSeconds} s warm-up each)`,
      async () => measureAppServer(await sideBySide(appServerRounds, appServerProcesses)),
    )
  : noStack;

const dpopRounds = number('BENCH_DPOP_ROUNDS', 6);
const dpopRequests = number('BENCH_DPOP_REQUESTS', 500);
const dpopCost = stack
  ? await phase(
      `DPoP verification cost: Bearer (cached, uncached) vs DPoP × ${dpopRounds} rounds × ${dpopRequests} requests`,
      () =>
        measureDpopCost({
          issuer: stack!.issuer,
          rounds: dpopRounds,
          requestsPerRound: dpopRequests,
        }),
    )
  : noStack;

// Phases that start what they measure (npm run bench:phase runs each alone).
const own = await runOwnPhases(phase, say);

const rssAfterLoadMiB = stack && {
  'auth-server': rssMiB(stack.auth.child.pid),
  'worldmappers-api': rssMiB(stack.worldmappers.child.pid),
  giftdeliveries: rssMiB(stack.giftdeliveries.child.pid),
};
await stack?.stop();

machine.loadAverage.end = loadavg()[0] ?? 0;
const report: BenchReport = {
  machine,
  command: 'npm run bench',
  durationSeconds: (performance.now() - started) / 1000,
  overhead,
  appServer,
  tokenEconomy,
  clientAuth,
  directions,
  coldStart: cold,
  dpopCost,
  ...own,
  ...(rssAfterLoadMiB ? { rssAfterLoadMiB } : {}),
};

const out = process.env.BENCH_OUT ?? join(repoRoot, 'docs');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'benchmarks.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(out, 'benchmarks.md'), renderMarkdown(report));
say('');
say(renderSummary(report));
say('');
say(
  `Wrote ${join(out, 'benchmarks.md')} and benchmarks.json (${report.durationSeconds.toFixed(0)} s).`,
);
process.exitCode = [
  overhead,
  appServer,
  tokenEconomy,
  clientAuth,
  directions,
  cold,
  dpopCost,
  ...Object.values(own),
].every((p) => p.ok)
  ? 0
  : 1;
