import { CONTESTANTS, type RealRoutesResult } from '../phases/real-routes.js';
import { fmt, table } from '../report.js';

/** The real-routes section of docs/benchmarks.md. */
export function realRoutesSection(r: RealRoutesResult): string[] {
  const goal = (of: string, ratio: number) =>
    of.includes('protected')
      ? ratio >= 0.9
        ? 'met'
        : '**not met**'
      : ratio >= 1
        ? 'met'
        : '**not met**';
  return [
    `worldmappers-api's own handlers (\`locationRoutes\` and \`directionsRoutes\` of its build, over its real gazetteer and road network, landmarks ready) served by one process per set on two ports: the handlers unprotected on the same base app, and the shipped app itself (\`createApp\`: protectApi on \`/api\` with its verification cache, the scope on each route), over one world. One process for both, so that a process's own speed (on this virtual machine one can run at half the speed of the next for its whole life) is not counted as the protection's cost. The refusals are asked of the shipped app: no Authorization header, a token whose signature was changed, and a valid token of \`store-locator\` (granted \`geocode:location\` only) on reverse-geocode. Same method as the overhead phase: ${r.rounds} rounds × ${r.roundSeconds} s split over ${r.processes} set${r.processes === 1 ? '' : 's'} of fresh processes, each contestant warmed up ${r.warmupSeconds} s, taking turns in a rotating order, ${r.connections} connections; the process serves one contestant at a time.`,
    '',
    table(
      [
        'contestant',
        'request',
        'status',
        'req/s (median)',
        'min–max',
        'p99 ms',
        'CPU µs/req',
        'failed',
      ],
      CONTESTANTS.map((name) => {
        const c = r.contestants[name];
        return [
          name,
          `\`${c.request}\``,
          String(c.status),
          fmt(c.rps.median),
          `${fmt(c.rps.min)}–${fmt(c.rps.max)}`,
          fmt(c.p99Ms.median, 1),
          fmt(c.cpuMicrosPerRequest.median),
          fmt(c.failures),
        ];
      }),
    ),
    '',
    table(
      ['ratio', 'req/s × (median)', 'q1–q3', 'min–max', 'by CPU × (median)', 'goal'],
      r.comparisons.map((c) => [
        `${c.of} ÷ ${c.against}`,
        `${fmt(c.ratio.median, 2)}×`,
        `${fmt(c.ratio.q1, 2)}–${fmt(c.ratio.q3, 2)}`,
        `${fmt(c.ratio.min, 2)}–${fmt(c.ratio.max, 2)}`,
        `${fmt(c.cpuRatio.median, 2)}×`,
        `${c.of.includes('protected') ? '≥ 0.90×' : '≥ 1.00× (no dearer than a success)'}: ${goal(c.of, c.ratio.median)}`,
      ]),
    ),
    '',
  ];
}
