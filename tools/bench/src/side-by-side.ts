import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { AUDIENCE, ROUTE, type ServeWith, type Variant } from './overhead/variants.js';

/** autocannon against `url` with the bearer token (none: no Authorization), for `seconds`. */
export function run(url: string, token: string | null, seconds: number, connections: number) {
  return autocannon({
    url,
    connections,
    duration: seconds,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
}

/**
 * The order of the contestants in round `round`: a Williams Latin square (for an even count), in
 * which over `count` rounds each runs in every position once and follows every other exactly
 * once, so none is always measured after the same neighbour (whose warmth or garbage it would
 * inherit). Row 0 is 0, 1, n−1, 2, n−2, …; each next row adds 1 (mod n).
 */
export function balancedOrder(count: number, round: number): number[] {
  const first = Array.from({ length: count }, (_, i) =>
    i === 0 ? 0 : i % 2 === 1 ? (i + 1) / 2 : count - i / 2,
  );
  return first.map((variant) => (variant + round) % count);
}

/** A server process of the bench: its port, and its CPU time (`collect`: after a full GC). */
export interface VariantServer {
  port: number;
  /** Every app's port, where the process serves more than one (`port` is the first). */
  ports: readonly number[];
  control(collect?: boolean): Promise<{ cpuMicros: number; cache?: Record<string, number> }>;
  stop(): Promise<void>;
}

/**
 * Starts one server process serving `variant` and resolves when it listens. `serveWith`: the
 * services' own server (createAppServer of @repo/http, the default) or Node's plain
 * `http.createServer(app)`.
 */
export function startVariant(
  variant: Variant,
  issuerBaseURL: string,
  serveWith: ServeWith = 'app-server',
): Promise<VariantServer> {
  return startServer(fileURLToPath(new URL('./overhead/server.ts', import.meta.url)), {
    VARIANT: variant,
    SERVE_WITH: serveWith,
    ISSUER_BASE_URL: issuerBaseURL,
    AUDIENCE,
  });
}

/**
 * Starts a bench server process (`entry`, a module that prints `{"port":…,"control":…}` once
 * listening, see overhead/serve.ts) with `env`, in production mode, and resolves when it listens.
 */
export async function startServer(
  entry: string,
  env: Record<string, string>,
): Promise<VariantServer> {
  const variant = env.VARIANT ?? entry;
  // BENCH_PROFILE_DIR: each server process writes a CPU profile there when it exits.
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--import', new URL('./cpu-profile-preload.mjs', import.meta.url).href]
    : [];
  const child = spawn(process.execPath, ['--expose-gc', ...profile, '--import', 'tsx', entry], {
    env: {
      ...process.env,
      ...env,
      NODE_ENV: 'production',
      CPU_PROFILE_DIR: process.env.BENCH_PROFILE_DIR,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  type Listening = { port: number; ports: number[]; control: number };
  const { port, ports, control } = await new Promise<Listening>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${variant} server exited (${code})`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as Listening));
  });
  return {
    port,
    ports,
    control: async (collect = false) =>
      (await (
        await fetch(`http://127.0.0.1:${control}/${collect ? '?gc' : ''}`)
      ).json()) as Awaited<ReturnType<VariantServer['control']>>,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * One contestant's measurement in one round; `answered`: the responses of the class it expects
 * (2xx, or 4xx for a contestant that measures a refusal), the others count as failures.
 */
export type Round = { result: autocannon.Result; cpuMicros: number; answered?: number };

const answeredOf = ({ result: r, answered }: Round) => answered ?? r['2xx'];
/** Answered (successful, or the expected refusal) requests per second of a round. */
export const rpsOf = (round: Round) => answeredOf(round) / round.result.duration;
/** Server CPU µs per answered request of a round. */
export const cpuOf = (round: Round) => round.cpuMicros / Math.max(1, answeredOf(round));
/** Responses other than the expected ones, and socket errors, over rounds. */
export const failuresOf = (rounds: readonly Round[]) =>
  rounds.reduce((n, round) => {
    const r = round.result;
    const all = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
    return n + all - answeredOf(round) + r.errors;
  }, 0);

/** What a contestant asks for: its path, its token (null: none) and the status it expects. */
export interface ContestantRequest {
  path: string;
  token: string | null;
  status: number;
}

export interface SideBySideOptions {
  /** A valid access token for `urn:worldmappers` with `geocode:location`. */
  token: string;
  rounds: number;
  /** Sets of fresh server processes the rounds are split over. */
  processes: number;
  roundSeconds: number;
  warmupSeconds: number;
  connections: number;
  progress: (line: string) => void;
}

/** Side by side with a request of its own per contestant (default: the token on ROUTE, 200). */
export interface ContestantOptions<Name extends string> {
  request?: (name: Name) => ContestantRequest;
}

/** How a side-by-side measurement was run, as its report states it. */
export interface SideBySideSetup {
  route: string;
  rounds: number;
  /** Sets of fresh processes the rounds were split over. */
  processes: number;
  roundSeconds: number;
  warmupSeconds: number;
  connections: number;
}

/**
 * The cheap route of each contestant (`names`, each served by a process `start` makes) measured
 * side by side. The rounds are split over sets of fresh processes (on a virtual machine one
 * process of the same code can run at half the speed of the next for its whole life, so no single
 * process may decide a ratio); in each set every process answers one request with 200 and is
 * warmed up, then the contestants take turns round by round in a balanced order, each starting on
 * a freshly collected heap, so drift hits all of them alike. `beforeStop` reads what it needs from
 * a set's processes before they are stopped.
 */
export async function measureSideBySide<Name extends string>(
  names: readonly Name[],
  start: (name: Name) => Promise<VariantServer>,
  options: SideBySideOptions & ContestantOptions<Name>,
  beforeStop?: (servers: Record<Name, VariantServer>) => Promise<void>,
): Promise<{ setup: SideBySideSetup; results: Record<Name, Round[]> }> {
  const { token, connections, progress } = options;
  const request = (name: Name): ContestantRequest =>
    options.request?.(name) ?? { path: ROUTE, token, status: 200 };
  const results = Object.fromEntries(names.map((name) => [name, []])) as unknown as Record<
    Name,
    Round[]
  >;
  const processes = Math.max(1, Math.min(options.processes, options.rounds));
  for (let set = 0; set < processes; set++) {
    const from = Math.round((set * options.rounds) / processes);
    const to = Math.round(((set + 1) * options.rounds) / processes);
    progress(
      `  processes ${set + 1}/${processes}: warm-up ${options.warmupSeconds} s each, then ${to - from === 1 ? `round ${to}` : `rounds ${from + 1}–${to}`}`,
    );
    const servers = {} as Record<Name, VariantServer>;
    const url = (name: Name) => `http://127.0.0.1:${servers[name].port}${request(name).path}`;
    const load = (name: Name, seconds: number) =>
      run(url(name), request(name).token, seconds, connections);
    try {
      for (const name of names) servers[name] = await start(name);
      for (const name of names) {
        const { path, token, status } = request(name);
        const headers: Record<string, string> =
          token === null ? {} : { authorization: `Bearer ${token}` };
        const res = await fetch(url(name), { headers });
        if (res.status !== status) {
          throw new Error(`${name}: GET ${path} answered ${res.status} ${await res.text()}`);
        }
      }
      for (const name of names) await load(name, options.warmupSeconds);
      for (let round = from; round < to; round++) {
        for (const i of balancedOrder(names.length, round)) {
          const name = names[i]!;
          // Each starts on a clean heap: the garbage the previous one left is not its bill.
          const server = servers[name];
          const before = (await server.control(true)).cpuMicros;
          const result = await load(name, options.roundSeconds);
          const answered = result[`${Math.floor(request(name).status / 100)}xx` as '2xx'];
          const measured = {
            result,
            cpuMicros: (await server.control()).cpuMicros - before,
            answered,
          };
          results[name].push(measured);
          progress(
            `  round ${round + 1}/${options.rounds} ${name.padEnd(16)} ${rpsOf(measured).toFixed(0).padStart(6)} req/s  p99 ${String(result.latency.p99).padStart(3)} ms  ${cpuOf(measured).toFixed(0)} µs CPU/req`,
          );
        }
      }
      await beforeStop?.(servers);
    } finally {
      await Promise.all(
        [...new Set(Object.values<VariantServer>(servers))].map((server) => server.stop()),
      );
    }
  }
  const { rounds, roundSeconds, warmupSeconds } = options;
  return {
    setup: {
      route: `GET ${options.request ? names.map((name) => request(name).path).join(', ') : ROUTE}`,
      rounds,
      processes,
      roundSeconds,
      warmupSeconds,
      connections,
    },
    results,
  };
}
