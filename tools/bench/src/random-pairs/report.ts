import { WORST_CASE_GOALS, type RandomPairsResult } from '../phases/random-pairs.js';
import { fmt, table } from '../report.js';

/** The worst-case directions section of docs/benchmarks.md. */
export function randomPairsSection(r: RandomPairsResult): string[] {
  const ms = (value: number) => `${fmt(value, 2)} ms`;
  const { p50, p95, p99, max } = r.cpuMs;
  const verdict = (value: number, goal: number) => (value <= goal ? 'met' : '**not met**');
  return [
    `worldmappers-api's directions answers (\`DirectionsService.directions\`, road mode: route, steps and geometry) in the bench process over the build's precomputed world, for ${fmt(r.pairs)} random pairs of towns joined by road (seed ${r.seed}, drawn over the whole gazetteer, so most cross a continent), one after another after 200 warm-up answers on other pairs; CPU time (\`process.cpuUsage\`) per answer.`,
    '',
    table(
      ['p50', 'p95', 'p99', 'max', 'p95 ÷ p50', 'max ÷ p50', 'route ÷ great circle (mean)'],
      [
        [
          ms(p50),
          `**${ms(p95)}**`,
          ms(p99),
          `**${ms(max)}**`,
          `${fmt(p95 / p50, 1)}×`,
          `${fmt(max / p50, 1)}×`,
          `${fmt(r.routeOverGreatCircle, 4)}×`,
        ],
      ],
    ),
    '',
    `- p95 ${ms(p95)} (goal ≤ ${WORST_CASE_GOALS.p95Ms} ms: ${verdict(p95, WORST_CASE_GOALS.p95Ms)}); max ${ms(max)} (goal ≤ ${WORST_CASE_GOALS.maxMs} ms: ${verdict(max, WORST_CASE_GOALS.maxMs)}).`,
    `- Answered by the work budget's weighted fallback (a route at most 1.3× the shortest): ${fmt(r.weighted)} of ${fmt(r.pairs)}; refused for the budget: ${fmt(r.refused)}.`,
    '',
    table(
      ['slowest pairs', 'CPU', 'towns settled', 'search', 'towns on the route'],
      r.slowest.map((p) => [
        `${p.from} → ${p.to}`,
        ms(p.ms),
        fmt(p.settled),
        p.weight === 1 ? 'exact' : p.weight === 0 ? 'refused' : `weighted ×${p.weight}`,
        fmt(p.towns),
      ]),
    ),
    '',
  ];
}
