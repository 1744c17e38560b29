import { giftdeliveriesTokenForm } from '../demo-client.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, startRedisServer, type RedisServer, type ServiceProcess } from '@repo/testkit';
import { appScript, startApp } from 'demo-stack';
import { cpuMicros, redisCpuMicros } from '../proc.js';
import { latencies, spread, type Spread } from '../stats.js';
import { closedLoop } from '../token-limit/http-load.js';

/** Where the auth-server keeps its client-auth throttle and token quota counters. */
export const THROTTLE_STORES = ['memory', 'redis'] as const;
export type ThrottleStore = (typeof THROTTLE_STORES)[number];

/** One round of sequential token requests against one auth-server. */
export interface StoreRound {
  store: ThrottleStore;
  latenciesMs: number[];
  ms: number;
  failures: number;
  /** The auth-server's CPU over the round, µs (10 ms ticks). */
  serverCpuMicros: number;
  /** The Redis server's CPU over the round, µs (0 for the memory store). */
  redisCpuMicros: number;
}

export interface StoreFigures {
  rounds: number;
  /** Median latency of each round, ms. */
  p50Ms: Spread;
  p99Ms: Spread;
  tokensPerSecond: Spread;
  /** The auth-server's CPU per token request, µs, per round. */
  serverCpuMicros: Spread;
  /** The Redis server's CPU per token request, µs, per round. */
  redisCpuMicros: Spread;
  failures: number;
}

/** The ClientAuthThrottle's admit + settle on its own, in this process, per store. */
export interface ThrottlePathFigures {
  rounds: number;
  opsPerRound: number;
  /** µs per admit + settle(true), per round. */
  micros: Record<ThrottleStore, Spread>;
  /** redis ÷ memory, per round. */
  ratio: Spread;
}

export interface ThrottleStoreResult {
  processes: number;
  warmupTokens: number;
  requestsPerRound: number;
  endpoint: Record<ThrottleStore, StoreFigures>;
  /** Redis ÷ memory within each round pair: p50 latency, auth-server CPU, auth-server + Redis CPU. */
  ratio: { p50: Spread; cpu: Spread; cpuWithRedis: Spread };
  /** Redis − memory within each round pair, µs: p50 latency, auth-server CPU + Redis CPU. */
  extraMicros: { p50: Spread; cpuWithRedis: Spread };
  path: ThrottlePathFigures;
}

/** The figures of one store's rounds. */
export function storeFigures(rounds: readonly StoreRound[]): StoreFigures {
  const each = rounds.map((r) => latencies(r.latenciesMs));
  const n = (r: StoreRound) => Math.max(1, r.latenciesMs.length);
  return {
    rounds: rounds.length,
    p50Ms: spread(each.map((l) => l.p50)),
    p99Ms: spread(each.map((l) => l.p99)),
    tokensPerSecond: spread(rounds.map((r) => r.latenciesMs.length / (r.ms / 1000))),
    serverCpuMicros: spread(rounds.map((r) => r.serverCpuMicros / n(r))),
    redisCpuMicros: spread(rounds.map((r) => r.redisCpuMicros / n(r))),
    failures: rounds.reduce((sum, r) => sum + r.failures, 0),
  };
}

/** Ratios and differences between the two stores, pair by pair (the i-th round of each). */
export function compareStores(memory: readonly StoreRound[], redis: readonly StoreRound[]) {
  const p50 = (r: StoreRound) => latencies(r.latenciesMs).p50;
  const cpu = (r: StoreRound) => r.serverCpuMicros / Math.max(1, r.latenciesMs.length);
  const all = (r: StoreRound) =>
    (r.serverCpuMicros + r.redisCpuMicros) / Math.max(1, r.latenciesMs.length);
  const pairs = memory.map((m, i) => [m, redis[i]!] as const).filter(([, r]) => r !== undefined);
  return {
    ratio: {
      p50: spread(pairs.map(([m, r]) => p50(r) / p50(m))),
      cpu: spread(pairs.filter(([m]) => cpu(m) > 0).map(([m, r]) => cpu(r) / cpu(m))),
      cpuWithRedis: spread(pairs.filter(([m]) => all(m) > 0).map(([m, r]) => all(r) / all(m))),
    },
    extraMicros: {
      p50: spread(pairs.map(([m, r]) => (p50(r) - p50(m)) * 1000)),
      cpuWithRedis: spread(pairs.map(([m, r]) => all(r) - all(m))),
    },
  };
}

interface Throttle {
  admit(clientId: string, address: string): Promise<{ settle(authenticated: boolean): void }>;
}
interface LimiterStore {
  status(): { shared: boolean };
  close(): Promise<void>;
}
interface ThrottleModules {
  ClientAuthThrottle: new (options: {
    maxFailures: number;
    windowSeconds: number;
    store: LimiterStore;
  }) => Throttle;
  memoryStore(): LimiterStore;
  redisStore(options: { url: string; keyPrefix: string }): LimiterStore;
}

/** The auth-server's own throttle and stores, from its build output. */
async function throttleModules(): Promise<ThrottleModules> {
  const load = async (file: string) =>
    (await import(pathToFileURL(appScript('auth-server', file)).href)) as Record<string, unknown>;
  return {
    ...(await load('dist/client-auth-limiter.js')),
    ...(await load('dist/rate-limit-store.js')),
    ...(await load('dist/redis-store.js')),
  } as unknown as ThrottleModules;
}

/**
 * The throttle's admit + settle(true) alone (what every token request that names a client pays),
 * with the memory store and with the Redis store on the machine's Redis (a key prefix of this run
 * alone; its keys expire with the window), in alternating rounds of sequential calls.
 */
async function measureThrottlePath(rounds: number, opsPerRound: number) {
  const { ClientAuthThrottle, memoryStore, redisStore } = await throttleModules();
  const url = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const stores: Record<ThrottleStore, LimiterStore> = {
    memory: memoryStore(),
    redis: redisStore({ url, keyPrefix: `bench-throttle-${randomBytes(4).toString('hex')}` }),
  };
  try {
    for (const until = Date.now() + 5_000; !stores.redis.status().shared;) {
      if (Date.now() > until) throw new Error(`Redis at ${url} is not answering`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const throttles = Object.fromEntries(
      THROTTLE_STORES.map((s) => [
        s,
        new ClientAuthThrottle({ maxFailures: 5, windowSeconds: 60, store: stores[s] }),
      ]),
    ) as Record<ThrottleStore, Throttle>;
    const run = async (store: ThrottleStore, ops: number) => {
      const t0 = performance.now();
      for (let i = 0; i < ops; i++) {
        (await throttles[store].admit('giftdeliveries', '127.0.0.1')).settle(true);
      }
      const micros = ((performance.now() - t0) * 1000) / ops;
      // The settle's reward is sent without waiting (as the server does): let it land.
      await new Promise((resolve) => setTimeout(resolve, 20));
      return micros;
    };
    for (const store of THROTTLE_STORES) await run(store, opsPerRound);
    const micros: Record<ThrottleStore, number[]> = { memory: [], redis: [] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? THROTTLE_STORES : ([...THROTTLE_STORES].reverse() as never);
      for (const store of order as readonly ThrottleStore[]) {
        micros[store].push(await run(store, opsPerRound));
      }
    }
    return {
      rounds,
      opsPerRound,
      micros: { memory: spread(micros.memory), redis: spread(micros.redis) },
      ratio: spread(micros.redis.map((r, i) => r / micros.memory[i]!)),
    };
  } finally {
    await Promise.all(Object.values(stores).map((s) => s.close()));
  }
}

export interface ThrottleStoreOptions {
  /** Sets of fresh auth-server processes (each pair: memory, Redis) and a fresh Redis server. */
  processes: number;
  /** Round pairs per set of processes. */
  roundsPerProcess?: number;
  requestsPerRound?: number;
  progress: (line: string) => void;
}

/**
 * The cost of the Redis store for the client-auth throttle and token quota, per token request,
 * beside the memory store: in each set, a Redis server of this phase's own (fresh, so the
 * quota counts start at zero) and two auth-servers on one key file, one counting in its memory
 * and one in that Redis; after a warm-up, rounds of sequential client_credentials requests for
 * `giftdeliveries` take turns (in alternating order), each ratio taken within its pair of rounds.
 * Each auth-server counts the client's hourly quota of 1000 tokens, so a set serves at most 950.
 * Then the throttle's admit + settle path alone, in this process, with both stores.
 */
export async function measureThrottleStore(
  options: ThrottleStoreOptions,
): Promise<ThrottleStoreResult> {
  const { processes, progress, roundsPerProcess = 8, requestsPerRound = 100 } = options;
  const warmup = 100;
  if (warmup + roundsPerProcess * requestsPerRound > 950) {
    throw new Error('more token requests per process than the hourly quota allows');
  }
  const body = giftdeliveriesTokenForm();
  const rounds: Record<ThrottleStore, StoreRound[]> = { memory: [], redis: [] };
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-throttle-'));
  try {
    for (let p = 0; p < processes; p++) {
      let redis: RedisServer | undefined;
      const servers: Partial<Record<ThrottleStore, ServiceProcess>> = {};
      try {
        redis = await startRedisServer();
        for (const store of THROTTLE_STORES) {
          const port = await freePort();
          servers[store] = await startApp('auth-server', {
            port,
            env: {
              LOG_LEVEL: 'info',
              ISSUER: `http://127.0.0.1:${port}/`,
              DATA_DIR: dataDir,
              ...(store === 'redis' && { REDIS_URL: redis.url }),
            },
            timeoutMs: 60_000,
          });
        }
        const load = (store: ThrottleStore, count: number) =>
          closedLoop({
            url: `${servers[store]!.url}/oauth/token`,
            body,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            connections: 1,
            count,
          });
        for (const store of THROTTLE_STORES) {
          const warm = await load(store, warmup);
          const refused = warm.answers.filter((a) => a.status !== 200).length;
          if (refused > 0) throw new Error(`${store}: ${refused} warm-up token requests refused`);
        }
        for (let round = 0; round < roundsPerProcess; round++) {
          const order: ThrottleStore[] =
            (p + round) % 2 === 0 ? ['memory', 'redis'] : ['redis', 'memory'];
          for (const store of order) {
            const pid = servers[store]!.child.pid!;
            const cpu0 = cpuMicros(pid);
            const redis0 = await redisCpuMicros(redis.port);
            const run = await load(store, requestsPerRound);
            const measured: StoreRound = {
              store,
              latenciesMs: run.answers.map((a) => a.ms),
              ms: run.ms,
              failures: run.answers.filter((a) => a.status !== 200).length,
              serverCpuMicros: cpuMicros(pid) - cpu0,
              redisCpuMicros: (await redisCpuMicros(redis.port)) - redis0,
            };
            rounds[store].push(measured);
            const l = latencies(measured.latenciesMs);
            progress(
              `  set ${p + 1}/${processes} round ${round + 1} ${store.padEnd(6)} p50 ${l.p50.toFixed(3)} ms  p99 ${l.p99.toFixed(2)} ms  ${(measured.serverCpuMicros / requestsPerRound).toFixed(0)} µs CPU/token (+${(measured.redisCpuMicros / requestsPerRound).toFixed(0)} µs Redis)`,
            );
          }
        }
      } finally {
        await Promise.all(Object.values(servers).map((s) => s.stop()));
        await redis?.close();
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  progress('  the throttle alone: admit + settle, 8 rounds × 2000 calls per store');
  const path = await measureThrottlePath(8, 2_000);
  progress(
    `  admit + settle: memory ${path.micros.memory.median.toFixed(1)} µs, Redis ${path.micros.redis.median.toFixed(1)} µs (${path.ratio.median.toFixed(1)}×)`,
  );
  return {
    processes,
    warmupTokens: warmup,
    requestsPerRound,
    endpoint: { memory: storeFigures(rounds.memory), redis: storeFigures(rounds.redis) },
    ...compareStores(rounds.memory, rounds.redis),
    path,
  };
}
