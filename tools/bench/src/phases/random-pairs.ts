import { buildWorld } from 'worldmappers-api/dist/world/world.js';
import { latencies, type Latencies } from '../stats.js';

/** The seed and size of the pair set: fixed, so that runs (and builds) answer the same pairs. */
export const RANDOM_PAIRS_SEED = 23;
export const RANDOM_PAIRS = 3_200;

/** The worst-case goals of issue 23: CPU per whole directions answer. */
export const WORST_CASE_GOALS = { p95Ms: 3, maxMs: 10 } as const;

export interface SlowPair {
  from: string;
  to: string;
  /** CPU of the measured answer. */
  ms: number;
  /** Towns the route's searches settled, and the weight of the search that found it (1: exact). */
  settled: number;
  weight: number;
  towns: number;
}

export interface RandomPairsResult {
  seed: number;
  pairs: number;
  /** CPU time per whole answer (route, steps, geometry), in ms. */
  cpuMs: Latencies;
  /** Mean of route km ÷ great-circle km over the answered pairs. */
  routeOverGreatCircle: number;
  /** Answered by the budget's weighted fallback (a route at most its weight × the shortest). */
  weighted: number;
  /** Refused: both searches ran out of budget. */
  refused: number;
  slowest: SlowPair[];
}

/** Park–Miller, as the seeded tests of worldmappers-api draw their points. */
function seeded(seed: number) {
  return () => (seed = (seed * 16807) % 2147483647) / 2147483647;
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};

/**
 * worldmappers-api's directions answers for `pairs` random pairs of towns joined by road (drawn
 * with `seed` over the whole gazetteer, so most are continental), in this process over the
 * build's precomputed world, the JIT warmed on other pairs first: the CPU of each whole answer,
 * its route against the great circle, and the five slowest pairs taken apart.
 */
export function measureRandomPairs({
  pairs: count = RANDOM_PAIRS,
  seed = RANDOM_PAIRS_SEED,
} = {}): RandomPairsResult {
  const world = buildWorld();
  world.router.prepareLandmarks();
  const random = seeded(seed);
  const n = world.gazetteer.size;
  const draw = (): [number, number] => [Math.floor(random() * n), Math.floor(random() * n)];
  const pairs: [number, number][] = [];
  while (pairs.length < count) {
    const [s, t] = draw();
    if (s !== t && world.router.connected(s, t)) pairs.push([s, t]);
  }
  const answer = (s: number, t: number) => {
    try {
      return world.directions.directions(s, t, 'road');
    } catch {
      return undefined;
    }
  };
  // Warm-up on pairs outside the measured set.
  for (let i = 0; i < 200; i++) {
    const [s, t] = draw();
    if (world.router.connected(s, t)) answer(s, t);
  }
  const samples: number[] = [];
  const ratios: number[] = [];
  let refused = 0;
  for (const [s, t] of pairs) {
    const before = process.cpuUsage();
    const a = answer(s, t);
    samples.push(cpuMs(before));
    if (!a) refused++;
    else if (a.greatCircleKm > 0) ratios.push(a.distanceKm / a.greatCircleKm);
  }
  let weighted = 0;
  for (const [s, t] of pairs) {
    try {
      if ((world.router.route(s, t)?.weight ?? 1) > 1) weighted++;
    } catch {
      // refused: counted above
    }
  }
  const slowest = pairs
    .map(([s, t], i) => ({ s, t, ms: samples[i]! }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5)
    .map(({ s, t, ms }) => {
      let route;
      try {
        route = world.router.route(s, t);
      } catch {
        route = undefined;
      }
      return {
        from: world.gazetteer.name[s]!,
        to: world.gazetteer.name[t]!,
        ms,
        settled: route?.settled ?? 0,
        weight: route?.weight ?? 0,
        towns: route?.path.length ?? 0,
      };
    });
  return {
    seed,
    pairs: pairs.length,
    cpuMs: latencies(samples),
    routeOverGreatCircle: ratios.reduce((sum, r) => sum + r, 0) / Math.max(1, ratios.length),
    weighted,
    refused,
    slowest,
  };
}
