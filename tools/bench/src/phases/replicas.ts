import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { DEMO_CLIENTS } from '@repo/contracts';
import { createTestDatabase, freePort, type ServiceProcess } from '@repo/testkit';
import { createApiClient, createTokenProvider } from '@repo/token-client';
import { appScript, startApp, startDemoStack } from 'demo-stack';
import { cpuMicros, cpuMicrosOfAll } from '../proc.js';
import { latencies, spread, type Latencies, type Spread } from '../stats.js';

/** The replica counts measured. */
export const REPLICA_COUNTS = [1, 2, 3] as const;
export type ReplicaCount = (typeof REPLICA_COUNTS)[number];

/** Short road routes from the depot (Rovaniemi), as the load test posts them. */
const DESTINATIONS = ['Helsinki, FI', 'Oulu, FI', 'Tampere, FI', 'Turku, FI', 'Kemi, FI'];

/** One run: `replicas` giftdeliveries processes on a fresh database, `deliveries` posted. */
export interface ReplicaRun {
  replicas: ReplicaCount;
  deliveries: number;
  planned: number;
  /** Planned ÷ (last planned_at − first created_at), s⁻¹: what the load test reports. */
  plannedPerSecond: number;
  /** Wall time of the POSTs, ms. */
  postMs: number;
  /** created_at (the POST accepted) → planned_at, per delivery, ms. */
  acceptedToPlannedMs: Latencies;
  /** CPU seconds over the run, by process (PostgreSQL: every backend on the machine). */
  cpuSeconds: Record<'giftdeliveries' | 'worldmappers-api' | 'auth-server' | 'postgres', number>;
  wallSeconds: number;
}

/** `claimers` stores claiming batches from one database's due rows at once. */
export interface ClaimRun {
  claimers: ReplicaCount;
  rows: number;
  batch: number;
  /** One `claimDue` call (the FOR UPDATE SKIP LOCKED update), ms. */
  latency: Latencies;
}

export interface ReplicasResult {
  rounds: number;
  deliveries: number;
  clients: number;
  workerConcurrency: number;
  runs: ReplicaRun[];
  byReplicas: Record<`${ReplicaCount}`, { plannedPerSecond: Spread; p50Ms: Spread; p99Ms: Spread }>;
  claims: ClaimRun[];
  loadAverage: { start: number; end: number };
  /** The machine's cores. */
  cores: number;
}

/** Planned/s and latency spreads of the runs of each replica count. */
export function byReplicas(runs: readonly ReplicaRun[]): ReplicasResult['byReplicas'] {
  const of = (n: ReplicaCount) => {
    const mine = runs.filter((r) => r.replicas === n);
    return {
      plannedPerSecond: spread(mine.map((r) => r.plannedPerSecond)),
      p50Ms: spread(mine.map((r) => r.acceptedToPlannedMs.p50)),
      p99Ms: spread(mine.map((r) => r.acceptedToPlannedMs.p99)),
    };
  };
  return { 1: of(1), 2: of(2), 3: of(3) };
}

/** The order of the replica counts in round `round`: 1, 2, 3, then 3, 2, 1, and so on. */
export function replicaOrder(round: number): ReplicaCount[] {
  return round % 2 === 0 ? [...REPLICA_COUNTS] : [...REPLICA_COUNTS].reverse();
}

interface Store {
  create(input: object): Promise<unknown>;
  claimDue(owner: string, limit: number, leaseMs: number): Promise<unknown[]>;
  close(): Promise<void>;
}

/** giftdeliveries' own PostgreSQL store, from its build output. */
async function openStore(url: string): Promise<Store> {
  const { PostgresDeliveryStore } = (await import(
    pathToFileURL(appScript('giftdeliveries', 'dist/store/postgres-store.js')).href
  )) as { PostgresDeliveryStore: { open(url: string): Promise<Store> } };
  return PostgresDeliveryStore.open(url);
}

/** `claimers` stores, each its own pool, claiming batches of `batch` until `rows` are claimed. */
async function measureClaims(claimers: ReplicaCount, rows: number, batch: number) {
  const database = await createTestDatabase('bench_claims');
  const stores: Store[] = [];
  try {
    for (let i = 0; i < claimers; i++) stores.push(await openStore(database.url));
    for (let i = 0; i < rows; i += 300) {
      await Promise.all(
        Array.from({ length: Math.min(300, rows - i) }, (_, j) =>
          stores[0]!.create({
            recipient: `c${i + j}`,
            destination: 'Oulu, FI',
            origin: 'Rovaniemi, FI',
          }),
        ),
      );
    }
    const samples: number[] = [];
    let claimed = 0;
    await Promise.all(
      stores.map(async (store, w) => {
        for (;;) {
          const t0 = performance.now();
          const got = await store.claimDue(`bench-${w}`, batch, 60_000);
          samples.push(performance.now() - t0);
          if (got.length === 0) return;
          claimed += got.length;
        }
      }),
    );
    if (claimed !== rows) throw new Error(`claimed ${claimed} of ${rows} due rows`);
    return { claimers, rows, batch, latency: latencies(samples) };
  } finally {
    await Promise.all(stores.map((store) => store.close()));
    await database.drop();
  }
}

export interface ReplicasOptions {
  /** Rounds over the replica counts (1, 2, 3 then 3, 2, 1, …). */
  rounds: number;
  deliveries: number;
  /** Concurrent posting clients. */
  clients?: number;
  workerConcurrency?: number;
  progress: (line: string) => void;
}

/**
 * Deliveries planned per second by 1, 2 and 3 giftdeliveries replicas (built, `node dist/index.js`)
 * on one PostgreSQL database each, created for the run and dropped after, with one real
 * auth-server and one worldmappers-api for all runs (as the load test runs them). `clients`
 * concurrent storefront clients post the deliveries round-robin over the replicas; the rate is
 * planned ÷ (last `planned_at` − first `created_at`), and each delivery's time from its POST
 * accepted (`created_at`) to `planned_at` is its latency. The replicas' worker does not time its
 * claims, so claim latency is measured on giftdeliveries' own store: 1, 2, 3 stores claiming
 * batches of 16 from 3000 due rows of a fresh database at once.
 */
export async function measureReplicas(options: ReplicasOptions): Promise<ReplicasResult> {
  const { rounds, deliveries, progress, clients = 50, workerConcurrency = 16 } = options;
  const loadStart = loadavg()[0] ?? 0;
  const stack = await startDemoStack({
    services: ['auth-server', 'worldmappers-api'],
    commonEnv: { LOG_LEVEL: 'info', API_RATE_LIMIT: '0' },
  });
  const runs: ReplicaRun[] = [];
  try {
    const tokens = createTokenProvider({
      clientId: DEMO_CLIENTS.storefront.id,
      clientSecret: DEMO_CLIENTS.storefront.devSecret,
      audience: 'urn:giftdeliveries',
      issuerBaseURL: stack.issuer,
    });
    const world = stack.get('worldmappers-api');
    const auth = stack.get('auth-server');
    for (let round = 0; round < rounds; round++) {
      for (const count of replicaOrder(round)) {
        const database = await createTestDatabase('bench_replicas');
        const replicas: ServiceProcess[] = [];
        const db = new pg.Client({ connectionString: database.url });
        try {
          replicas.push(
            ...(await Promise.all(
              Array.from({ length: count }, async (_, i) =>
                startApp('giftdeliveries', {
                  port: await freePort(),
                  timeoutMs: 60_000,
                  env: {
                    ISSUER_BASE_URL: stack.issuer,
                    WORLDMAPPERS_API_URL: world.url,
                    DATABASE_URL: database.url,
                    REPLICA_ID: `gd-${i + 1}`,
                    WORKER_CONCURRENCY: String(workerConcurrency),
                    WORKER_POLL_MS: '100',
                    SEED_SAMPLE_DELIVERIES: 'false',
                    API_RATE_LIMIT: '0',
                    LOG_LEVEL: 'info',
                  },
                }),
              ),
            )),
          );
          await db.connect();
          const apis = replicas.map((r) => createApiClient({ baseURL: r.url, tokens }));
          await tokens.getAccessToken();
          const cpu = () => ({
            giftdeliveries: replicas.reduce((sum, r) => sum + cpuMicros(r.child.pid!), 0),
            'worldmappers-api': cpuMicros(world.child.pid!),
            'auth-server': cpuMicros(auth.child.pid!),
            postgres: cpuMicrosOfAll('postgres'),
          });
          const cpu0 = cpu();
          const t0 = performance.now();
          let next = 0;
          await Promise.all(
            Array.from({ length: clients }, async () => {
              while (next < deliveries) {
                const n = next++;
                const { status } = await apis[n % apis.length]!.post('/deliveries', {
                  recipient: `bench ${n}`,
                  destination: DESTINATIONS[n % DESTINATIONS.length],
                });
                if (status !== 202) throw new Error(`POST /deliveries answered ${status}`);
              }
            }),
          );
          const postMs = performance.now() - t0;
          for (;;) {
            const { rows } = await db.query<{ pending: number }>(
              `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending FROM deliveries`,
            );
            if (rows[0]!.pending === 0) break;
            if (performance.now() - t0 > 300_000) throw new Error('not planned within 5 minutes');
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          const wallSeconds = (performance.now() - t0) / 1000;
          const cpu1 = cpu();
          const { rows } = await db.query<{ ms: number; rate_seconds: number }>(
            `SELECT extract(epoch FROM planned_at - created_at)::float * 1000 AS ms,
                    extract(epoch FROM max(planned_at) OVER () - min(created_at) OVER ())::float
                      AS rate_seconds
             FROM deliveries WHERE status = 'planned'`,
          );
          const run: ReplicaRun = {
            replicas: count,
            deliveries,
            planned: rows.length,
            plannedPerSecond: rows.length / (rows[0]?.rate_seconds ?? Number.NaN),
            postMs,
            acceptedToPlannedMs: latencies(rows.map((r) => r.ms)),
            cpuSeconds: Object.fromEntries(
              Object.entries(cpu1).map(([k, v]) => [k, (v - cpu0[k as keyof typeof cpu0]) / 1e6]),
            ) as ReplicaRun['cpuSeconds'],
            wallSeconds,
          };
          runs.push(run);
          const c = run.cpuSeconds;
          progress(
            `  round ${round + 1}/${rounds} ${count} replica${count === 1 ? ' ' : 's'}: ${run.planned}/${deliveries} planned, ${run.plannedPerSecond.toFixed(0)} planned/s, accepted→planned p50 ${run.acceptedToPlannedMs.p50.toFixed(0)} ms p99 ${run.acceptedToPlannedMs.p99.toFixed(0)} ms; CPU s: giftdeliveries ${c.giftdeliveries.toFixed(1)}, worldmappers-api ${c['worldmappers-api'].toFixed(1)}, auth-server ${c['auth-server'].toFixed(1)}, postgres ${c.postgres.toFixed(1)} in ${wallSeconds.toFixed(1)} s`,
          );
        } finally {
          await db.end().catch(() => undefined);
          await Promise.all(replicas.map((r) => r.stop()));
          await database.drop();
        }
      }
    }
  } finally {
    await stack.stop();
  }
  const claims: ClaimRun[] = [];
  for (const claimers of REPLICA_COUNTS) {
    const claim = await measureClaims(claimers, 3_000, 16);
    claims.push(claim);
    progress(
      `  claims, ${claimers} claimer${claimers === 1 ? '' : 's'}: p50 ${claim.latency.p50.toFixed(2)} ms, p99 ${claim.latency.p99.toFixed(2)} ms over ${claim.latency.samples} claims`,
    );
  }
  return {
    rounds,
    deliveries,
    clients,
    workerConcurrency,
    runs,
    byReplicas: byReplicas(runs),
    claims,
    loadAverage: { start: loadStart, end: loadavg()[0] ?? 0 },
    cores: cpus().length,
  };
}
