/**
 * Prints the speed figures of issue 4 (not a test: numbers vary by machine):
 * directions p50/p95/p99 over the fixed pairs, geocode p50/p99, start-up to ready, and RSS.
 * Run with `npm run bench -w worldmappers-api` (builds first: start-up is measured on dist/).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startTestIssuer } from '@repo/testkit';
import { buildWorld } from '../src/world/world.js';
import { DIRECTIONS_PAIRS } from './pairs.js';

export { DIRECTIONS_PAIRS };

const say = (line: string) => process.stdout.write(`${line}\n`);
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const figures = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return (p: number) => percentile(sorted, p).toFixed(3);
};

function inProcess() {
  const t0 = performance.now();
  const world = buildWorld();
  const built = performance.now() - t0;
  world.router.prepareLandmarks();
  const landmarks = performance.now() - t0 - built;
  say(
    `world built in ${built.toFixed(0)} ms (${JSON.stringify(world.timings)}), landmarks +${landmarks.toFixed(0)} ms`,
  );

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

async function startUp() {
  const issuer = await startTestIssuer();
  const port = await freePort();
  const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.js');
  const t0 = performance.now();
  const child = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      ENV_FILE: 'none',
      PORT: String(port),
      ISSUER_BASE_URL: issuer.issuer,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
    },
    stdio: 'ignore',
  });
  try {
    let ready = false;
    while (!ready && performance.now() - t0 < 30_000) {
      try {
        ready = (await fetch(`http://localhost:${port}/readyz`)).status === 200;
      } catch {
        // not listening yet
      }
      if (!ready) await new Promise((r) => setTimeout(r, 20));
    }
    const readyMs = performance.now() - t0;
    say(`start-up to ready (GET /readyz 200): ${readyMs.toFixed(0)} ms`);
    const rss = () =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) /
      1024;
    await new Promise((r) => setTimeout(r, 3000)); // landmarks are computed in the background
    say(`resident memory after start-up and landmarks: ${rss().toFixed(0)} MB`);
  } finally {
    child.kill('SIGTERM');
    await issuer.close();
  }
}

inProcess();
await startUp();
