import type autocannon from 'autocannon';
import { describe, expect, it } from 'vitest';
import { compare, forge, CONTESTANTS, type Contestant } from '../src/phases/real-routes.js';
import { planRounds, tokenFigures, type TokenRound } from '../src/phases/token-limit.js';
import { ownSections } from '../src/own-phases.js';
import { ownerOf, summarise } from '../src/profile-summary.js';
import {
  byReplicas,
  replicaOrder,
  type ReplicaCount,
  type ReplicaRun,
} from '../src/phases/replicas.js';
import { compareStores, storeFigures, type StoreRound } from '../src/phases/throttle-store.js';
import { replicasSection } from '../src/replicas/report.js';
import type { RandomPairsResult } from '../src/phases/random-pairs.js';
import { randomPairsSection } from '../src/random-pairs/report.js';
import type { StartAloneResult } from '../src/phases/start-alone.js';
import { startAloneSection } from '../src/start-alone/report.js';
import { latencies, spread } from '../src/stats.js';
import { cpuOf, failuresOf, rpsOf, type Round } from '../src/side-by-side.js';

const round = (over: Partial<TokenRound>): TokenRound => ({
  connections: 16,
  tokens: 200,
  ms: 100,
  latenciesMs: [1, 2, 3, 4],
  failures: 0,
  serverCpuMicros: 80_000,
  signsPerSecond: 4_000,
  signCpuMicros: 250,
  ...over,
});

describe('the token-limit figures', () => {
  it('takes each ratio within its round: tokens/s over the signing rate beside it', () => {
    const f = tokenFigures([round({}), round({ ms: 200, signsPerSecond: 2_000, failures: 1 })]);
    // 2 000 tokens/s ÷ 4 000 signs/s, and 1 000 ÷ 2 000: both 0.5, whatever the drift.
    expect(f.ratio.rounds).toEqual([0.5, 0.5]);
    expect(f.tokensPerSecond.rounds).toEqual([2_000, 1_000]);
    expect(f.serverCpuMicrosPerToken.median).toBe(400);
    // 250 µs of signing in 400 µs of server CPU per token.
    expect(f.cpuRatio.median).toBeCloseTo(0.625);
    expect(f.p50Ms.median).toBe(2);
    expect(f.latency.samples).toBe(8);
    expect(f.failures).toBe(1);
  });

  it("splits one process's quota into a warm-up and rounds, with a margin", () => {
    const plan = planRounds(1000, 2, 150);
    expect(plan.tokens[1] + plan.tokens[16]).toBe(400);
    expect(plan.warmup + plan.pairs * (plan.tokens[1] + plan.tokens[16])).toBeLessThanOrEqual(950);
    expect(() => planRounds(100, 4, 90)).toThrow(/too few tokens/);
  });
});

const result = (counts: Partial<Record<'2xx' | '4xx' | 'errors', number>>, duration = 2) =>
  ({
    '1xx': 0,
    '2xx': counts['2xx'] ?? 0,
    '3xx': 0,
    '4xx': counts['4xx'] ?? 0,
    '5xx': 0,
    non2xx: counts['4xx'] ?? 0,
    errors: counts.errors ?? 0,
    duration,
  }) as unknown as autocannon.Result;

describe('side-by-side rounds of an expected refusal', () => {
  it('counts the expected status class, and everything else as failures', () => {
    const refusals: Round = {
      result: result({ '4xx': 1_000, '2xx': 2 }),
      cpuMicros: 300_000,
      answered: 1_000,
    };
    expect(rpsOf(refusals)).toBe(500);
    expect(cpuOf(refusals)).toBe(300);
    expect(failuresOf([refusals])).toBe(2);
    // Without `answered`, a success is what counts (the overhead phase's rounds).
    const successes: Round = {
      result: result({ '2xx': 1_000, '4xx': 3, errors: 1 }),
      cpuMicros: 100_000,
    };
    expect(rpsOf(successes)).toBe(500);
    expect(failuresOf([successes])).toBe(4);
  });

  it('compares two contestants round by round', () => {
    const results = Object.fromEntries(CONTESTANTS.map((name) => [name, []])) as unknown as Record<
      Contestant,
      Round[]
    >;
    results.geocode = [
      { result: result({ '2xx': 2_000 }), cpuMicros: 200_000 },
      { result: result({ '2xx': 1_000 }), cpuMicros: 100_000 },
    ];
    results['geocode protected'] = [
      { result: result({ '2xx': 1_800 }), cpuMicros: 198_000 },
      { result: result({ '2xx': 900 }), cpuMicros: 99_000 },
    ];
    const c = compare(results, 'geocode protected', 'geocode');
    expect(c.ratio.rounds.map((r) => r.toFixed(2))).toEqual(['0.90', '0.90']);
    expect(c.cpuRatio.median).toBeCloseTo(100 / 110);
  });
});

describe('forge', () => {
  it('changes one character of the signature only', () => {
    const token = 'aGVhZGVy.cGF5bG9hZA.c2lnbmF0dXJlc2lnbmF0dXJl';
    const forged = forge(token);
    expect(forged).not.toBe(token);
    expect(forged.slice(0, 19)).toBe(token.slice(0, 19));
    expect([...forged].filter((c, i) => c !== token[i])).toHaveLength(1);
  });
});

describe('the profile summary', () => {
  it('names the owner of a frame', () => {
    expect(ownerOf('file:///r/node_modules/oidc-provider/lib/x.js', 'f')).toBe('oidc-provider');
    expect(ownerOf('file:///r/node_modules/@koa/router/x.js', 'f')).toBe('@koa/router');
    expect(ownerOf('file:///r/apps/auth-server/dist/app.js', 'f')).toBe('apps/auth-server');
    expect(ownerOf('node:internal/crypto/util', 'f')).toBe('node');
    expect(ownerOf('', '(garbage collector)')).toBe('(garbage collector)');
  });

  it('adds self time by owner and inclusive time up the stack', () => {
    const frame = (id: number, url: string, children: number[] = []) => ({
      id,
      callFrame: { functionName: `f${id}`, url, lineNumber: 0 },
      children,
    });
    const profile = {
      nodes: [
        frame(1, '', [2]),
        frame(2, 'file:///r/apps/auth-server/dist/app.js', [3]),
        frame(3, 'file:///r/node_modules/jose/x.js'),
      ],
      samples: [3, 3, 2],
      timeDeltas: [100, 100, 100],
    };
    const { owners, inclusive, total } = summarise([profile]);
    expect(total).toBe(300);
    expect(Object.fromEntries(owners)).toEqual({ jose: 200, 'apps/auth-server': 100 });
    expect(Object.fromEntries(inclusive)['apps/auth-server']).toBe(300);
  });
});

describe('the sections of these phases in docs/benchmarks.md', () => {
  it('states the goals as met or not, and names a phase that failed', () => {
    const figures = tokenFigures([
      round({ connections: 16, ms: 100, signsPerSecond: 2_500 }),
      round({ connections: 16, ms: 100, signsPerSecond: 2_500 }),
    ]);
    const md = ownSections({
      tokenLimit: {
        ok: true,
        figures: {
          processes: 2,
          warmupTokens: 150,
          signsPerSecond: spread([2_500, 2_500]),
          signCpuMicros: spread([250, 250]),
          signBatch: 300,
          at: { 1: { ...figures, p50Ms: spread([0.8, 0.9]) }, 16: figures },
          goals: { ratioAt16: 0.75, p50MsAt1: 1 },
        },
      },
      logCost: { ok: false, error: 'no sink' },
    }).join('\n');
    expect(md).toContain('## The token endpoint against the raw signing rate of its key');
    // 2 000 tokens/s beside 2 500 signatures/s.
    expect(md).toContain('the endpoint issues **0.80×** the raw signing rate (goal ≥ 0.75×: met)');
    expect(md).toContain('p50 is **0.85 ms** (goal ≤ 1 ms: met)');
    expect(md).toContain("## The request log line's cost\n\nnot measured: no sink");
    expect(md).not.toContain('real routes');
  });
});

describe('the throttle-store figures', () => {
  const storeRound = (over: Partial<StoreRound>): StoreRound => ({
    store: 'memory',
    latenciesMs: [1, 1, 1, 1],
    ms: 4,
    failures: 0,
    serverCpuMicros: 4_000,
    redisCpuMicros: 0,
    ...over,
  });

  it('compares the stores within each pair of rounds', () => {
    const memory = [storeRound({}), storeRound({ latenciesMs: [2, 2, 2, 2], ms: 8 })];
    const redis = [
      storeRound({ store: 'redis', latenciesMs: [1.2, 1.2, 1.2, 1.2], redisCpuMicros: 800 }),
      storeRound({
        store: 'redis',
        latenciesMs: [2.4, 2.4, 2.4, 2.4],
        ms: 8,
        redisCpuMicros: 800,
      }),
    ];
    const c = compareStores(memory, redis);
    // 1.2× in both pairs, however much slower the second pair was.
    expect(c.ratio.p50.rounds.map((r) => r.toFixed(2))).toEqual(['1.20', '1.20']);
    expect(c.extraMicros.p50.rounds.map((r) => Math.round(r))).toEqual([200, 400]);
    // 1 000 µs of auth-server CPU per token in each, plus 200 µs of Redis.
    expect(c.ratio.cpu.median).toBe(1);
    expect(c.extraMicros.cpuWithRedis.median).toBe(200);
    const f = storeFigures(redis);
    expect(f.redisCpuMicros.median).toBe(200);
    expect(f.tokensPerSecond.rounds).toEqual([1_000, 500]);
  });
});

describe('the replicas figures', () => {
  const run = (replicas: ReplicaCount, plannedPerSecond: number): ReplicaRun => ({
    replicas,
    deliveries: 10,
    planned: 10,
    plannedPerSecond,
    postMs: 100,
    acceptedToPlannedMs: latencies([10, 20, 30]),
    cpuSeconds: { giftdeliveries: 1, 'worldmappers-api': 1, 'auth-server': 0, postgres: 1 },
    wallSeconds: 2,
  });

  it('alternates the order of the replica counts and groups the runs by count', () => {
    expect(replicaOrder(0)).toEqual([1, 2, 3]);
    expect(replicaOrder(1)).toEqual([3, 2, 1]);
    const by = byReplicas([run(1, 50), run(2, 60), run(3, 70), run(3, 90), run(2, 40), run(1, 50)]);
    expect(by[1].plannedPerSecond.median).toBe(50);
    expect(by[2].plannedPerSecond.rounds).toEqual([60, 40]);
    expect(by[3].plannedPerSecond.median).toBe(80);
    expect(by[3].p50Ms.median).toBe(20);
    const md = replicasSection({
      rounds: 1,
      deliveries: 10,
      clients: 5,
      workerConcurrency: 16,
      runs: [run(1, 50), run(2, 60), run(3, 70)],
      byReplicas: byReplicas([run(1, 50), run(2, 60), run(3, 70)]),
      claims: [{ claimers: 1, rows: 3_000, batch: 16, latency: latencies([1, 2]) }],
      loadAverage: { start: 1, end: 2 },
      cores: 2,
    }).join('\n');
    expect(md).toContain('| 3        |');
    expect(md).toContain('1.40×');
    // 3 CPU seconds for 10 deliveries in 2 s of wall time.
    expect(md).toMatch(/\| +300\.0 \| +1\.50 \|/);
  });
});

describe('the random-pairs section', () => {
  const result = (p95: number, max: number): RandomPairsResult => ({
    seed: 23,
    pairs: 3_200,
    cpuMs: { samples: 3_200, p50: 1, p95, p99: max, max },
    routeOverGreatCircle: 1.4219,
    weighted: 186,
    refused: 2,
    slowest: [
      { from: 'Lisbon', to: 'Hanoi', ms: max, settled: 24_000, weight: 1.3, towns: 600 },
      { from: 'Perth', to: 'Isokyrö', ms: 17, settled: 0, weight: 0, towns: 0 },
    ],
  });

  it('states each goal met or not, and how the slowest pairs were found', () => {
    const missed = randomPairsSection(result(8.31, 24.6)).join('\n');
    expect(missed).toContain(
      'p95 8.31 ms (goal ≤ 3 ms: **not met**); max 24.60 ms (goal ≤ 10 ms: **not met**)',
    );
    expect(missed).toContain(
      'weighted fallback (a route at most 1.3× the shortest): 186 of 3,200; refused for the budget: 2',
    );
    expect(missed).toMatch(/Lisbon → Hanoi +\| +24\.60 ms \| +24,000 \| +weighted ×1\.3 \|/);
    expect(missed).toMatch(/Perth → Isokyrö +\| +17\.00 ms \| +0 \| +refused \|/);
    const met = randomPairsSection(result(2.5, 9)).join('\n');
    expect(met).toContain('(goal ≤ 3 ms: met); max 9.00 ms (goal ≤ 10 ms: met)');
  });
});

describe('the start-alone section', () => {
  const result = (readyMs: number, peakMiB: number): StartAloneResult => {
    const s = (median: number) => spread([median * 0.9, median, median * 1.1]);
    return {
      entry: 'node dist/index.js',
      starts: 3,
      healthMs: s(readyMs - 50),
      healthCpuMs: s(readyMs - 200),
      readyMs: s(readyMs),
      readyCpuMs: s(readyMs - 150),
      rssReadyMiB: s(peakMiB - 20),
      rssLaterMiB: s(peakMiB - 25),
      peakMiB: s(peakMiB),
    };
  };

  it('judges readiness on /readyz and memory on the peak, each against its goal', () => {
    const slow = startAloneSection(result(1_720, 191)).join('\n');
    expect(slow).toContain(
      'Ready after **1,720 ms** (median; goal ≤ 1,000 ms: **not met**), at most **191 MiB** resident (median peak; goal ≤ 200 MiB: met)',
    );
    expect(slow).toMatch(/`GET \/readyz` 200 \(ready[^|]*\| +1,720 ms \| +1,548–1,892 ms \|/);
    const fast = startAloneSection(result(950, 210)).join('\n');
    expect(fast).toContain(
      'goal ≤ 1,000 ms: met), at most **210 MiB** resident (median peak; goal ≤ 200 MiB: **not met**)',
    );
  });
});
