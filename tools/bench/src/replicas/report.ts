import { REPLICA_COUNTS, type ReplicasResult } from '../phases/replicas.js';
import { fmt, table } from '../report.js';

/** The replicas section of docs/benchmarks.md. */
export function replicasSection(r: ReplicasResult): string[] {
  const one = r.byReplicas[1].plannedPerSecond.median;
  const cpuOf = (n: number) => {
    const mine = r.runs.filter((run) => run.replicas === n);
    const sum = (key: keyof ReplicasResult['runs'][0]['cpuSeconds']) =>
      mine.reduce((s, run) => s + run.cpuSeconds[key], 0) / Math.max(1, mine.length);
    const wall = mine.reduce((s, run) => s + run.wallSeconds, 0) / Math.max(1, mine.length);
    const total =
      sum('giftdeliveries') + sum('worldmappers-api') + sum('auth-server') + sum('postgres');
    return { sum, wall, total };
  };
  return [
    `${fmt(r.deliveries)} deliveries posted by ${r.clients} concurrent storefront clients, round-robin over 1, 2 and 3 giftdeliveries replicas (\`node dist/index.js\`, \`DATABASE_URL\` on a PostgreSQL database created for the run and dropped after, \`WORKER_CONCURRENCY=${r.workerConcurrency}\`), with one auth-server and one worldmappers-api for every run; ${r.rounds} round${r.rounds === 1 ? '' : 's'} over the replica counts (1, 2, 3, then 3, 2, 1). Planned/s is the planned count over the first \`created_at\` to the last \`planned_at\`; the latency is each delivery's POST accepted (\`created_at\`) → \`planned_at\` (the worker does not time its claims). CPU seconds per run from /proc (PostgreSQL: every backend on the machine). Load average ${fmt(r.loadAverage.start, 1)} → ${fmt(r.loadAverage.end, 1)}.`,
    '',
    table(
      [
        'replicas',
        'planned/s (median)',
        'min–max',
        '× one replica',
        'accepted→planned p50 ms',
        'p99 ms',
        'CPU s: giftdeliveries / worldmappers-api / auth-server / postgres (wall s)',
        'CPU ms/delivery',
        'cores used',
      ],
      REPLICA_COUNTS.map((n) => {
        const b = r.byReplicas[n];
        const c = cpuOf(n);
        return [
          String(n),
          fmt(b.plannedPerSecond.median),
          `${fmt(b.plannedPerSecond.min)}–${fmt(b.plannedPerSecond.max)}`,
          `${fmt(b.plannedPerSecond.median / one, 2)}×`,
          fmt(b.p50Ms.median),
          fmt(b.p99Ms.median),
          `${fmt(c.sum('giftdeliveries'), 1)} / ${fmt(c.sum('worldmappers-api'), 1)} / ${fmt(c.sum('auth-server'), 1)} / ${fmt(c.sum('postgres'), 1)} (${fmt(c.wall, 1)})`,
          fmt((c.total * 1000) / r.deliveries, 1),
          fmt(c.total / Math.max(c.wall, Number.EPSILON), 2),
        ];
      }),
    ),
    '',
    `"CPU ms/delivery" adds up every process of the pipeline per delivery (accepting the POST, claiming, asking worldmappers-api for directions, writing the outcome); "cores used" is that CPU over the run's wall time. Where it stays well below the machine's ${r.cores} cores while planned/s does not grow with the replicas, the pipeline waits for CPU that other work on the machine holds (see the load average): replicas of one service on one machine share its cores and add work of their own (each polls, holds a pool, verifies its tokens), so they can only add throughput when cores are idle.`,
    '',
    `Claim latency: giftdeliveries' own PostgreSQL store (\`claimDue\`: one \`UPDATE … FROM (SELECT … FOR UPDATE SKIP LOCKED)\`), 1, 2 and 3 stores (each its own pool, as replicas) claiming batches of ${r.claims[0]?.batch ?? 16} from ${fmt(r.claims[0]?.rows)} due rows of a fresh database at once:`,
    '',
    table(
      ['claimers', 'claims', 'p50 ms', 'p99 ms', 'max ms'],
      r.claims.map((c) => [
        String(c.claimers),
        fmt(c.latency.samples),
        fmt(c.latency.p50, 2),
        fmt(c.latency.p99, 2),
        fmt(c.latency.max, 2),
      ]),
    ),
    '',
  ];
}
