import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiClient, createTokenProvider } from '@repo/token-client';
import { freePort, type ServiceProcess } from '@repo/testkit';
import { startApp } from 'demo-stack';
import { DEMO_CLIENTS } from '@repo/contracts';
import { statusMiB } from './proc.js';
import { spread } from './stats.js';

/** Resident memory of a process in MiB, from `/proc/<pid>/status` (VmRSS). */
export function rssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return statusMiB(pid, 'VmRSS') || undefined;
  } catch {
    return undefined;
  }
}

export interface Stack {
  issuer: string;
  /** The auth-server's DATA_DIR (its keys, and the private_key_jwt clients' JWKS files). */
  authDataDir: string;
  auth: ServiceProcess;
  worldmappers: ServiceProcess;
  giftdeliveries: ServiceProcess;
  stop(): Promise<void>;
}

export interface ColdStartResult {
  /** Process start (all three spawned at once) → the first delivery reads `planned`. */
  plannedMs: number;
  /** When each service first answered `GET /healthz` 200, from the same start. */
  healthyMs: Record<'auth-server' | 'worldmappers-api' | 'giftdeliveries', number>;
  /** When the delivery was posted (giftdeliveries healthy and a storefront token in hand). */
  postedMs: number;
  /** Planning attempts the worker needed (more than 1 means it met a service still starting). */
  attempts: number | undefined;
  /** Resident memory of each service right after the delivery was planned, MiB. */
  rssMiB: Record<string, number | undefined>;
}

/** Several cold starts: each moment as its median over them, with every start's figures. */
export interface ColdStartsResult extends ColdStartResult {
  starts: ColdStartResult[];
}

/**
 * The median of each moment over several cold starts (the most planning attempts any needed), and
 * the memory of the last start, whose services the later phases use.
 */
export function medianColdStart(starts: readonly ColdStartResult[]): ColdStartsResult {
  const median = (pick: (start: ColdStartResult) => number) => spread(starts.map(pick)).median;
  const last = starts.at(-1)!;
  return {
    plannedMs: median((s) => s.plannedMs),
    postedMs: median((s) => s.postedMs),
    healthyMs: {
      'auth-server': median((s) => s.healthyMs['auth-server']),
      'worldmappers-api': median((s) => s.healthyMs['worldmappers-api']),
      giftdeliveries: median((s) => s.healthyMs.giftdeliveries),
    },
    attempts: Math.max(...starts.map((s) => s.attempts ?? 0)) || undefined,
    rssMiB: last.rssMiB,
    starts: [...starts],
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts auth-server, worldmappers-api and giftdeliveries at the same moment, as `docker compose
 * up` would, posts one delivery as soon as giftdeliveries is up, and times the first `planned`.
 * The services keep running for the other phases.
 */
export async function coldStart(): Promise<{ stack: Stack; result: ColdStartResult }> {
  const root = mkdtempSync(join(tmpdir(), 'bench-'));
  const [authPort, worldPort, giftPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const issuer = `http://127.0.0.1:${authPort}/`;
  // The services' own defaults (LOG_LEVEL info, JSON logs, NODE_ENV=test from startApp).
  const common = { LOG_LEVEL: 'info' };
  const t0 = performance.now();
  const since = () => performance.now() - t0;
  const timed = async (promise: Promise<ServiceProcess>) => {
    const service = await promise;
    return { service, ms: since() };
  };
  const started = await Promise.allSettled([
    timed(
      startApp('auth-server', {
        port: authPort,
        env: { ...common, ISSUER: issuer, DATA_DIR: join(root, 'auth') },
        timeoutMs: 60_000,
      }),
    ),
    timed(
      startApp('worldmappers-api', {
        port: worldPort,
        env: { ...common, ISSUER_BASE_URL: issuer },
        timeoutMs: 120_000,
      }),
    ),
    timed(
      startApp('giftdeliveries', {
        port: giftPort,
        env: {
          ...common,
          ISSUER_BASE_URL: issuer,
          WORLDMAPPERS_API_URL: `http://127.0.0.1:${worldPort}`,
          DATA_DIR: join(root, 'gift'),
          SEED_SAMPLE_DELIVERIES: 'false',
        },
        timeoutMs: 60_000,
      }),
    ),
  ]);
  const running = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value.service] : []));
  const stop = async () => {
    await Promise.all(running.map((s) => s.stop()));
    rmSync(root, { recursive: true, force: true });
  };
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await stop();
    throw (failed as PromiseRejectedResult).reason;
  }
  const [auth, world, gift] = started.map(
    (s) => (s as PromiseFulfilledResult<{ service: ServiceProcess; ms: number }>).value,
  ) as [
    { service: ServiceProcess; ms: number },
    { service: ServiceProcess; ms: number },
    { service: ServiceProcess; ms: number },
  ];

  try {
    const api = createApiClient({
      baseURL: gift.service.url,
      tokens: createTokenProvider({
        clientId: DEMO_CLIENTS.storefront.id,
        clientSecret: DEMO_CLIENTS.storefront.devSecret,
        audience: 'urn:giftdeliveries',
        issuerBaseURL: issuer,
      }),
    });
    const { status, data } = await api.post<{ id: string }>('/deliveries', {
      recipient: 'Aino',
      destination: 'Helsinki, FI',
    });
    const postedMs = since();
    if (status !== 202) throw new Error(`POST /deliveries answered ${status}`);
    let view: { status: string; attempts?: number; lastError?: string } | undefined;
    for (;;) {
      view = (await api.get<{ status: string; attempts?: number }>(`/deliveries/${data.id}`)).data;
      if (view.status !== 'pending') break;
      if (since() > 180_000) throw new Error('the first delivery was not planned within 3 minutes');
      await sleep(20);
    }
    const plannedMs = since();
    if (view.status !== 'planned') {
      throw new Error(`the first delivery ended ${view.status}: ${view.lastError ?? ''}`);
    }
    return {
      stack: {
        issuer,
        authDataDir: join(root, 'auth'),
        auth: auth.service,
        worldmappers: world.service,
        giftdeliveries: gift.service,
        stop,
      },
      result: {
        plannedMs,
        postedMs,
        attempts: view.attempts,
        healthyMs: {
          'auth-server': auth.ms,
          'worldmappers-api': world.ms,
          giftdeliveries: gift.ms,
        },
        rssMiB: {
          'auth-server': rssMiB(auth.service.child.pid),
          'worldmappers-api': rssMiB(world.service.child.pid),
          giftdeliveries: rssMiB(gift.service.child.pid),
        },
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
