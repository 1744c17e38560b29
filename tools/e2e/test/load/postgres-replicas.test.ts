/**
 * Three giftdeliveries replicas on one PostgreSQL database (the machine's, a database of this
 * test's own), with the real auth-server and worldmappers-api: 100 concurrent clients post the
 * deliveries round-robin, one replica is SIGKILLed in the middle and restarted. Every delivery
 * must be planned exactly once in effect (one outcome in the store, one "delivery planned" line),
 * none lost, no 5xx, at most two token requests per replica process. worldmappers-api's request
 * lines carry the delivery's id (giftdeliveries sends it as X-Request-Id), so the test also counts
 * what was asked there: a second ask is allowed only for a delivery the killed replica had claimed
 * and not finished (at-least-once underneath). Prints the figures; asserts no timing.
 * `LOAD_DELIVERIES` (default 3000) sets the count when running vitest directly.
 */
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appScript, startApp, startDemoStack, type DemoStack } from 'demo-stack';
import {
  createTestDatabase,
  freePort,
  type ServiceProcess,
  type TestDatabase,
} from '@repo/testkit';
import { DeliveriesClient, NEARBY_DESTINATIONS } from '../../src/deliveries.js';

const TOTAL = Number(process.env.LOAD_DELIVERIES ?? 3_000);
const SOLO = Math.round(TOTAL / 6);
const CLIENTS = 100;
const LEASE_MS = 5_000;

let database: TestDatabase;
let stack: DemoStack;
let db: pg.Client;
const ports: number[] = [];
/** Every giftdeliveries process started, the killed one included, by replica. */
const processes: { replica: string; service: ServiceProcess }[] = [];
const replicas = new Map<string, ServiceProcess>();

async function startReplica(index: number): Promise<ServiceProcess> {
  const replica = `gd-${index + 1}`;
  const service = await startApp('giftdeliveries', {
    port: ports[index],
    timeoutMs: 60_000,
    env: {
      ISSUER_BASE_URL: stack.issuer,
      WORLDMAPPERS_API_URL: stack.get('worldmappers-api').url,
      DATABASE_URL: database.url,
      REPLICA_ID: replica,
      WORKER_CONCURRENCY: '16',
      WORKER_POLL_MS: '100',
      WORKER_LEASE_MS: String(LEASE_MS),
      SEED_SAMPLE_DELIVERIES: 'false',
      API_RATE_LIMIT: '0',
      LOG_LEVEL: 'debug',
    },
  });
  processes.push({ replica, service });
  replicas.set(replica, service);
  return service;
}

beforeAll(async () => {
  database = await createTestDatabase('gd_load');
  stack = await startDemoStack({
    services: ['auth-server', 'worldmappers-api'],
    commonEnv: { LOG_LEVEL: 'info', API_RATE_LIMIT: '0' },
  });
  for (let i = 0; i < 3; i += 1) ports.push(await freePort());
  await startReplica(0);
  db = new pg.Client({ connectionString: database.url });
  await db.connect();
}, 180_000);

afterAll(async () => {
  await db?.end();
  for (const service of replicas.values()) await service.stop();
  await stack?.stop();
  await database?.drop();
});

const counts = async () => {
  const { rows } = await db.query<{ total: number; settled: number; planned: number }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE status <> 'pending')::int AS settled,
            count(*) FILTER (WHERE status = 'planned')::int AS planned FROM deliveries`,
  );
  return rows[0]!;
};

async function waitUntilSettled(total: number, timeoutMs: number, label: string) {
  const deadline = Date.now() + timeoutMs;
  let lastPrint = 0;
  for (;;) {
    const now = await counts();
    if (Date.now() - lastPrint > 5_000) {
      lastPrint = Date.now();
      console.log(`[replicas] ${label}: ${now.settled}/${total} settled`);
    }
    if (now.total >= total && now.settled === now.total) return now;
    if (Date.now() > deadline) throw new Error(`${label}: ${now.total - now.settled} pending`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Planned per second between the first and the last `planned_at` of `recipients LIKE prefix%`. */
async function planningRate(prefix: string): Promise<number> {
  const { rows } = await db.query<{ n: number; seconds: number }>(
    `SELECT count(*)::int AS n,
            extract(epoch FROM max(planned_at) - min(created_at))::float AS seconds
     FROM deliveries WHERE recipient LIKE $1 AND status = 'planned'`,
    [`${prefix}%`],
  );
  return rows[0]!.n / rows[0]!.seconds;
}

interface Posted {
  statuses: Map<number, number>;
  ids: Map<string, string>;
  failovers: number;
  replays: number;
}

/** `total` POSTs by CLIENTS concurrent clients, spread over `targets`, retried elsewhere on a dead one. */
async function postAll(
  targets: DeliveriesClient[],
  prefix: string,
  total: number,
  onProgress?: (posted: number) => void,
): Promise<Posted> {
  const result: Posted = { statuses: new Map(), ids: new Map(), failovers: 0, replays: 0 };
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, clientNo) => {
      while (next < total) {
        const n = next++;
        const key = `${prefix}-${n}`;
        for (let attempt = 0; ; attempt += 1) {
          const target = targets[(n + attempt) % targets.length]!;
          try {
            const res = await target.create(
              {
                recipient: `${prefix} ${n}`,
                destination: NEARBY_DESTINATIONS[n % NEARBY_DESTINATIONS.length]!,
                gift: `gift from client ${clientNo}`,
              },
              key,
            );
            result.statuses.set(res.status, (result.statuses.get(res.status) ?? 0) + 1);
            if (res.status === 202 && res.body.id) result.ids.set(key, res.body.id);
            if (res.replayed) result.replays += 1;
            break;
          } catch (error) {
            // The replica is gone (killed): ask another with the same Idempotency-Key.
            if (attempt >= 8) throw error;
            result.failovers += 1;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        onProgress?.(n + 1);
      }
    }),
  );
  return result;
}

const records = (service: ServiceProcess, message: string) =>
  service.records().filter((r) => r.message === message);

describe('giftdeliveries replicas on PostgreSQL', () => {
  it(`one replica plans ${SOLO} deliveries (the baseline)`, async () => {
    const client = new DeliveriesClient(replicas.get('gd-1')!.url, stack.issuer);
    const started = Date.now();
    const posted = await postAll([client], 'solo', SOLO);
    expect(Object.fromEntries(posted.statuses)).toEqual({ 202: SOLO });
    const settled = await waitUntilSettled(SOLO, 120_000, 'one replica');
    expect(settled).toEqual({ total: SOLO, settled: SOLO, planned: SOLO });
    console.log(
      `[replicas] one replica: ${SOLO} planned in ${Date.now() - started} ms, ${(await planningRate('solo')).toFixed(1)} planned/s`,
    );
  }, 180_000);

  it(`three replicas plan ${TOTAL} deliveries from ${CLIENTS} clients, one SIGKILLed and restarted: each once, none lost, no 5xx`, async () => {
    await Promise.all([startReplica(1), startReplica(2)]);
    const targets = ['gd-1', 'gd-2', 'gd-3'].map(
      (name) => new DeliveriesClient(replicas.get(name)!.url, stack.issuer),
    );
    const victim = replicas.get('gd-2')!;
    const victimOwner = String(records(victim, 'delivery worker started')[0]?.owner);
    let killed: Promise<void> | undefined;
    const started = Date.now();
    const posted = await postAll(targets, 'load', TOTAL, (n) => {
      if (n !== Math.round(TOTAL / 3) || killed) return;
      killed = (async () => {
        await victim.stop('SIGKILL');
        console.log(`[replicas] gd-2 (${victimOwner}) SIGKILLed after ${Date.now() - started} ms`);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await startReplica(1);
        console.log(`[replicas] gd-2 restarted after ${Date.now() - started} ms`);
      })();
    });
    await killed;
    const postedMs = Date.now() - started;
    console.log(
      `[replicas] ${TOTAL} POSTs in ${postedMs} ms; statuses ${JSON.stringify(Object.fromEntries(posted.statuses))}; ${posted.failovers} failovers to another replica, ${posted.replays} answered as replays`,
    );
    expect(Object.fromEntries(posted.statuses)).toEqual({ 202: TOTAL });
    expect(new Set(posted.ids.values()).size).toBe(TOTAL);

    await waitUntilSettled(TOTAL + SOLO, 240_000, 'three replicas');
    const elapsed = Date.now() - started;
    const rate = await planningRate('load');
    console.log(
      `[replicas] three replicas: ${TOTAL} planned in ${elapsed} ms, ${rate.toFixed(1)} planned/s (kill included)`,
    );

    // The store: every posted delivery, once, planned, each outcome by one claim owner.
    const { rows } = await db.query<{ id: string; status: string; outcome_owner: string }>(
      `SELECT id, status, outcome_owner FROM deliveries WHERE recipient LIKE 'load %'`,
    );
    expect(rows).toHaveLength(TOTAL);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(posted.ids.values()));
    expect(rows.filter((r) => r.status !== 'planned')).toEqual([]);
    const ownerOf = new Map(rows.map((r) => [r.id, r.outcome_owner]));
    const byOwner: Record<string, number> = {};
    for (const owner of ownerOf.values()) byOwner[owner] = (byOwner[owner] ?? 0) + 1;

    // One "delivery planned" line per delivery across every process, by the owner the store
    // names. The only lines allowed missing are the killed process's last ones: it died before
    // its output reached the pipe, after its commit.
    const plannedLines = processes.flatMap(({ service }) => {
      const owner = String(records(service, 'delivery worker started')[0]?.owner);
      return records(service, 'delivery planned').map((r) => ({ owner, id: String(r.deliveryId) }));
    });
    const loadPlanned = plannedLines.filter((line) => ownerOf.has(line.id));
    expect(new Set(loadPlanned.map((line) => line.id)).size).toBe(loadPlanned.length);
    for (const line of loadPlanned) expect(line.owner).toBe(ownerOf.get(line.id));
    const logged = new Set(loadPlanned.map((line) => line.id));
    const unlogged = rows.filter((r) => !logged.has(r.id));
    expect(unlogged.filter((r) => r.outcome_owner !== victimOwner)).toEqual([]);

    // What worldmappers-api was asked, per delivery: once, or again after a takeover (the killed
    // replica had asked and died before its commit: at most its WORKER_CONCURRENCY claims).
    const asked = new Map<string, number>();
    for (const r of stack.get('worldmappers-api').records()) {
      const id = String(r.requestId);
      if (r.message === 'request' && r.path === '/api/directions' && ownerOf.has(id)) {
        asked.set(id, (asked.get(id) ?? 0) + 1);
      }
    }
    const askedAgain = [...asked].filter(([, n]) => n > 1).map(([id]) => id);
    console.log(
      `[replicas] exactly once: store ${rows.length} rows, ${rows.filter((r) => r.status === 'planned').length} planned, outcomes by owner ${JSON.stringify(byOwner)}; ${loadPlanned.length} "delivery planned" lines for ${logged.size} ids (${unlogged.length} lost with the killed process's output); worldmappers-api directions asked for ${asked.size} ids, ${askedAgain.length} of them twice (taken over after the kill)`,
    );
    expect(asked.size).toBe(TOTAL);
    expect(askedAgain.length).toBeLessThanOrEqual(16);
    for (const id of askedAgain) expect(ownerOf.get(id)).not.toBe(victimOwner);

    // No 5xx anywhere, no refusal of giftdeliveries by the API.
    const all = [
      ...processes.map(({ service }) => service),
      stack.get('auth-server'),
      stack.get('worldmappers-api'),
    ];
    for (const service of all) {
      expect(service.records().filter((r) => Number(r.status) >= 500)).toEqual([]);
    }
    const audits = stack
      .get('worldmappers-api')
      .records()
      .filter((r) => r.audit === true);
    expect(audits.filter((r) => r.decision !== 'allow')).toEqual([]);

    // At most two token requests per replica process (four processes: three, and the restart).
    const tokensPerProcess = processes.map(({ replica, service }) => ({
      replica,
      tokens: records(service, 'access token obtained').length,
    }));
    console.log(`[replicas] worldmappers tokens per process: ${JSON.stringify(tokensPerProcess)}`);
    for (const { tokens } of tokensPerProcess) expect(tokens).toBeLessThanOrEqual(2);
    const issued = stack
      .get('auth-server')
      .records()
      .filter((r) => r.message === 'token issued' && r.client_id === 'giftdeliveries');
    expect(issued.length).toBeLessThanOrEqual(2 * processes.length);
  }, 420_000);

  it('answers one Idempotency-Key posted to two replicas at once with one delivery', async () => {
    const [first, third] = ['gd-1', 'gd-3'].map(
      (name) => new DeliveriesClient(replicas.get(name)!.url, stack.issuer),
    );
    const pairs = await Promise.all(
      Array.from({ length: 100 }, (_, n) => {
        const delivery = { recipient: `twin ${n}`, destination: 'Oulu, FI' };
        return Promise.all([
          first!.create(delivery, `twin-${n}`),
          third!.create(delivery, `twin-${n}`),
        ]);
      }),
    );
    for (const [a, b] of pairs) {
      expect([a.status, b.status]).toEqual([202, 202]);
      expect(a.body.id).toBe(b.body.id);
      expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    }
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM deliveries WHERE recipient LIKE 'twin %'`,
    );
    expect(rows).toEqual([{ n: 100 }]);
  });

  it('measures claim latency: three claimers over the due rows of one database', async () => {
    interface Store {
      create(input: object): Promise<unknown>;
      claimDue(owner: string, limit: number, leaseMs: number): Promise<unknown[]>;
      close(): Promise<void>;
    }
    const { PostgresDeliveryStore } = (await import(
      pathToFileURL(appScript('giftdeliveries', 'dist/store/postgres-store.js')).href
    )) as { PostgresDeliveryStore: { open(url: string): Promise<Store> } };
    const bench = await createTestDatabase('gd_claims');
    const stores = await Promise.all([1, 2, 3].map(() => PostgresDeliveryStore.open(bench.url)));
    try {
      for (let i = 0; i < 3_000; i += 300) {
        await Promise.all(
          Array.from({ length: 300 }, (_, j) =>
            stores[0]!.create({
              recipient: `c${i + j}`,
              destination: 'Oulu, FI',
              origin: 'Rovaniemi, FI',
            }),
          ),
        );
      }
      const latencies: number[] = [];
      let claimed = 0;
      await Promise.all(
        stores.map(async (store, w) => {
          for (;;) {
            const t = process.hrtime.bigint();
            const batch = await store.claimDue(`w${w}`, 16, 60_000);
            latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
            if (batch.length === 0) return;
            claimed += batch.length;
          }
        }),
      );
      latencies.sort((a, b) => a - b);
      const at = (q: number) =>
        latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
      console.log(
        `[replicas] claim latency (batches of 16, 3 concurrent claimers, 3000 due rows): p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms over ${latencies.length} claims`,
      );
      expect(claimed).toBe(3_000);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await bench.drop();
    }
  }, 120_000);
});
