/**
 * Prints the speed figures of issue 4 (not a test: numbers vary by machine and load):
 * world loading (precomputed file and in-memory fallback), directions p50/p95/p99 over the fixed
 * pairs, geocode p50/p99, then several start-ups of the built server: wall time and CPU time to
 * the first `GET /healthz` 200 and to `GET /readyz` 200, and resident memory.
 * Run with `npm run bench:world -w bench` after `npm run build` (start-up is measured on dist/).
 * `-- --starts 5` sets how many start-ups; `-- --entry path/to/index.js` measures another build,
 * and given more than once, measures each build in turn (A B A B …) so that they share the
 * machine's moods; `-- --startups-only` skips the in-process figures.
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startTestIssuer } from '@repo/testkit';
import { appScript } from 'demo-stack';
import { buildWorld } from 'worldmappers-api/dist/world/world.js';
import { startAlone, type StartUp } from '../start-alone/start-alone.js';
import { DIRECTIONS_PAIRS } from './pairs.js';

export { DIRECTIONS_PAIRS };

const say = (line: string) => process.stdout.write(`${line}\n`);
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const figures = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return (p: number) => percentile(sorted, p).toFixed(3);
};

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const load = () =>
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`;

function inProcess() {
  let t = performance.now();
  let c = cpuMs();
  const fallback = buildWorld({ networkFile: false });
  fallback.router.prepareLandmarks();
  say(
    `world built in memory (fallback): ${(performance.now() - t).toFixed(0)} ms wall, ${(cpuMs() - c).toFixed(0)} ms CPU ${JSON.stringify(fallback.timings)} incl. landmarks; ${load()}`,
  );
  t = performance.now();
  c = cpuMs();
  const world = buildWorld();
  say(
    `world loaded (network ${world.network.source}${world.network.reason ? `: ${world.network.reason}` : ''}): ${(performance.now() - t).toFixed(0)} ms wall, ${(cpuMs() - c).toFixed(0)} ms CPU ${JSON.stringify(world.timings)}; ${load()}`,
  );
  if (!world.router.warm) world.router.prepareLandmarks();

  const ends = DIRECTIONS_PAIRS.map(([a, b]) => {
    const s = world.geocoder.geocode(a);
    const d = world.geocoder.geocode(b);
    if (s === undefined || d === undefined) throw new Error(`unknown place in ${a} → ${b}`);
    return [s, d] as const;
  });
  // Warm up the JIT, then measure whole answers (route + steps + geometry).
  for (let i = 0; i < 3; i++) for (const [s, d] of ends) world.directions.directions(s, d, 'road');
  const samples: number[] = [];
  let slowest = { ms: 0, pair: '' };
  for (let round = 0; round < 5; round++) {
    DIRECTIONS_PAIRS.forEach(([a, b], i) => {
      const [s, d] = ends[i]!;
      const t = performance.now();
      world.directions.directions(s, d, 'road');
      const ms = performance.now() - t;
      samples.push(ms);
      if (ms > slowest.ms) slowest = { ms, pair: `${a} → ${b}` };
    });
  }
  const dir = figures(samples);
  say(
    `directions (${DIRECTIONS_PAIRS.length} pairs × 5): p50 ${dir(50)} ms, p95 ${dir(95)} ms, p99 ${dir(99)} ms; slowest ${slowest.pair} ${slowest.ms.toFixed(1)} ms`,
  );

  const queries = DIRECTIONS_PAIRS.flat().concat([
    'kyoto, jp',
    'Kyoto, Japan',
    'Sao Paulo',
    'Springfield, IL, USA',
  ]);
  for (const q of queries) world.geocoder.geocode(q);
  const geo: number[] = [];
  for (let round = 0; round < 50; round++) {
    for (const q of queries) {
      const t = performance.now();
      world.geocoder.place(world.geocoder.geocode(q)!);
      geo.push(performance.now() - t);
    }
  }
  const g = figures(geo);
  say(`geocode (${geo.length} lookups): p50 ${g(50)} ms, p99 ${g(99)} ms`);
}

const { values: args } = parseArgs({
  options: {
    starts: { type: 'string', default: '5' },
    entry: { type: 'string', multiple: true },
    'startups-only': { type: 'boolean', default: false },
  },
});
const entries = args.entry?.length
  ? args.entry.map((e) => resolve(e))
  : [appScript('worldmappers-api')];

if (!args['startups-only']) inProcess();
const issuer = await startTestIssuer();
try {
  const runs = entries.map(() => [] as StartUp[]);
  for (let i = 0; i < Number(args.starts); i++) {
    for (const [e, entry] of entries.entries()) {
      const run = await startAlone(entry, issuer.issuer);
      runs[e]!.push(run);
      say(
        `start-up ${i + 1}${entries.length > 1 ? ` of ${entry}` : ''}: /healthz 200 after ${run.health.ms.toFixed(0)} ms wall (${run.health.cpuMs.toFixed(0)} ms CPU), /readyz 200 after ${run.ready.ms.toFixed(0)} ms (${run.ready.cpuMs.toFixed(0)} ms CPU); RSS ${run.rssReady.toFixed(0)} MB at ready, ${run.rssLater.toFixed(0)} MB 3 s later, peak ${run.peak.toFixed(0)} MB; ${load()}`,
      );
    }
  }
  for (const [e, entry] of entries.entries()) {
    const sample = runs[e]!;
    /** Median and range, as `median (min–max)`. */
    const spread = (pick: (r: (typeof sample)[number]) => number) => {
      const values = sample.map(pick).sort((a, b) => a - b);
      return `${figures(values)(50).split('.')[0]} (${values[0]!.toFixed(0)}–${values.at(-1)!.toFixed(0)})`;
    };
    say(
      `start-up median (range) of ${sample.length} (${entry}): /healthz ${spread((r) => r.health.ms)} ms wall, ${spread((r) => r.health.cpuMs)} ms CPU; /readyz ${spread((r) => r.ready.ms)} ms wall, ${spread((r) => r.ready.cpuMs)} ms CPU; RSS at ready ${spread((r) => r.rssReady)} MB, 3 s later ${spread((r) => r.rssLater)} MB, peak ${spread((r) => r.peak)} MB`,
    );
  }
} finally {
  await issuer.close();
}
