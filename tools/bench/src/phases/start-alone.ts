import { startTestIssuer } from '@repo/testkit';
import { appScript } from 'demo-stack';
import { startAlone, type StartUp } from '../start-alone/start-alone.js';
import { spread, type Spread } from '../stats.js';

/** Issue 23's start-up goals for worldmappers-api on its own. */
export const START_ALONE_GOALS = { readyMs: 1_000, rssMiB: 200 } as const;

export interface StartAloneResult {
  entry: string;
  starts: number;
  healthMs: Spread;
  healthCpuMs: Spread;
  readyMs: Spread;
  readyCpuMs: Spread;
  rssReadyMiB: Spread;
  rssLaterMiB: Spread;
  peakMiB: Spread;
}

/**
 * worldmappers-api's build started `starts` times on its own (nothing else starting beside it),
 * one after another, against a small local issuer: the start-up its goal is about, where the
 * cold-start phase starts all three services at once on the machine's cores.
 */
export async function measureStartAlone({
  starts,
  progress,
}: {
  starts: number;
  progress: (line: string) => void;
}): Promise<StartAloneResult> {
  const entry = appScript('worldmappers-api');
  const issuer = await startTestIssuer();
  const runs: StartUp[] = [];
  try {
    for (let i = 0; i < starts; i++) {
      const run = await startAlone(entry, issuer.issuer);
      runs.push(run);
      progress(
        `  start ${i + 1}/${starts}: /healthz ${run.health.ms.toFixed(0)} ms, /readyz ${run.ready.ms.toFixed(0)} ms (${run.ready.cpuMs.toFixed(0)} ms CPU), ${run.rssReady.toFixed(0)} MiB`,
      );
    }
  } finally {
    await issuer.close();
  }
  const of = (pick: (run: StartUp) => number) => spread(runs.map(pick));
  return {
    entry: 'node dist/index.js',
    starts,
    healthMs: of((r) => r.health.ms),
    healthCpuMs: of((r) => r.health.cpuMs),
    readyMs: of((r) => r.ready.ms),
    readyCpuMs: of((r) => r.ready.cpuMs),
    rssReadyMiB: of((r) => r.rssReady),
    rssLaterMiB: of((r) => r.rssLater),
    peakMiB: of((r) => r.peak),
  };
}
