import { START_ALONE_GOALS, type StartAloneResult } from '../phases/start-alone.js';
import { fmt, table } from '../report.js';
import type { Spread } from '../stats.js';

/** The section of docs/benchmarks.md on worldmappers-api started on its own. */
export function startAloneSection(r: StartAloneResult): string[] {
  const row = (what: string, s: Spread, unit: string) => [
    what,
    `${fmt(s.median)} ${unit}`,
    `${fmt(s.min)}–${fmt(s.max)} ${unit}`,
  ];
  const verdict = (met: boolean) => (met ? 'met' : '**not met**');
  const ready = r.readyMs.median;
  const rss = r.peakMiB.median;
  return [
    `worldmappers-api's build (\`${r.entry}\`) started ${r.starts} times on its own, one start after another, against a small local issuer (discovery and JWKS); the clock starts at spawn and polls every 10 ms. CPU is the process's user + system time then; memory is VmRSS at the first \`/readyz\` 200 and 3 s later, and the peak (VmHWM).`,
    '',
    table(
      ['moment', 'median', 'min–max'],
      [
        row('`GET /healthz` 200 (listening)', r.healthMs, 'ms'),
        row('— CPU used by then', r.healthCpuMs, 'ms'),
        row('`GET /readyz` 200 (ready: places, road network, issuer)', r.readyMs, 'ms'),
        row('— CPU used by then', r.readyCpuMs, 'ms'),
        row('resident memory at ready', r.rssReadyMiB, 'MiB'),
        row('resident memory 3 s later', r.rssLaterMiB, 'MiB'),
        row('peak resident memory', r.peakMiB, 'MiB'),
      ],
    ),
    '',
    `- Ready after **${fmt(ready)} ms** (median; goal ≤ ${fmt(START_ALONE_GOALS.readyMs)} ms: ${verdict(ready <= START_ALONE_GOALS.readyMs)}), at most **${fmt(rss)} MiB** resident (median peak; goal ≤ ${START_ALONE_GOALS.rssMiB} MiB: ${verdict(rss <= START_ALONE_GOALS.rssMiB)}).`,
    '',
  ];
}
