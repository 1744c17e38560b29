import { spread } from '../stats.js';

/** One turn of the event loop. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function cpuPerTurn(work: () => void, turns: number): Promise<number> {
  const t = process.cpuUsage();
  for (let i = 0; i < turns; i++) {
    work();
    await turn();
  }
  const used = process.cpuUsage(t);
  return (used.user + used.system) / turns;
}

const nothing = () => {};

/**
 * CPU µs of `work`, done once per turn of the event loop as a server does it (a tight loop would
 * queue thousands of log lines in winston's streams and time their garbage instead): after a
 * warm-up, the median of `rounds` × `turns`, each less the cost of an empty turn measured alongside.
 */
export async function microsPerTurn(work: () => void, rounds = 5, turns = 2_000): Promise<number> {
  await cpuPerTurn(work, turns);
  const measured: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const empty = await cpuPerTurn(nothing, turns);
    measured.push((await cpuPerTurn(work, turns)) - empty);
  }
  return spread(measured).median;
}
