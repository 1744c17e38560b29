import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import autocannon from 'autocannon';
import { createLogger } from '@repo/logger';
import { spread, type Spread } from '../stats.js';
import { AUDIENCE, ROUTE, VARIANTS, type ServeWith, type Variant } from '../overhead/variants.js';

export interface OverheadOptions {
  issuerBaseURL: string;
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

export interface VariantFigures {
  /** Successful requests per second, over the rounds. */
  rps: Spread;
  /** p99 latency in ms, over the rounds. */
  p99Ms: Spread;
  /** p50 latency in ms, over the rounds. */
  p50Ms: Spread;
  /** Server CPU time (user + system) per successful request, µs, over the rounds. */
  cpuMicrosPerRequest: Spread;
  /**
   * This variant's rps divided by the unprotected variant's rps of the same round, over the
   * rounds: pairing within a round cancels the drift of a shared machine's speed.
   */
  ratio: Spread;
  /**
   * The unprotected variant's server CPU per request divided by this variant's, round by round:
   * the same comparison by cost instead of throughput, unaffected by how busy the load generator was.
   */
  cpuRatio: Spread;
  /** Responses other than 2xx, and socket errors, over all rounds (must be 0). */
  failures: number;
}

export interface OverheadResult {
  route: string;
  rounds: number;
  processes: number;
  roundSeconds: number;
  warmupSeconds: number;
  connections: number;
  variants: Record<Variant, VariantFigures>;
  /**
   * CPU cost of one log line in this process, µs (see measureLogLines): the request line an
   * unprotected request writes, and the same line carrying protectApi's audit fields.
   */
  logLineMicros: { request: number; audit: number };
  /** Counters of the shipped variant's verification cache at the end. */
  cache: Record<string, number> | undefined;
}

/** One turn of the event loop. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Times log lines shaped like the request line, without and with the audit fields (JSON, to a
 * sink), one line per turn of the event loop as a server writes them (a tight loop would queue
 * thousands of lines in winston's streams and time their garbage instead). CPU µs per line,
 * median of 5 × 2 000 lines, less the cost of an empty turn measured alongside.
 */
async function measureLogLines(): Promise<{ request: number; audit: number }> {
  const sink = new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
  const logger = createLogger({ service: 'bench', level: 'info', format: 'json', stream: sink });
  const log = logger.child({ requestId: '0b9f3c1e-8a4d-4f7e-9c2b-5d6e7f809a1b' });
  const request = () =>
    log.info('request', { method: 'GET', path: ROUTE, status: 200, durationMs: 0.4 });
  const audit = () =>
    log.info('request', {
      method: 'GET',
      path: ROUTE,
      status: 200,
      durationMs: 0.4,
      audit: true,
      clientId: 'giftdeliveries',
      route: `GET ${ROUTE}`,
      scopes: 'geocode:location reverse-geocode:location directions',
      requiredScopes: 'geocode:location',
      decision: 'allow',
    });
  const cpuPerTurn = async (work: () => void, turns: number) => {
    const t = process.cpuUsage();
    for (let i = 0; i < turns; i++) {
      work();
      await turn();
    }
    const used = process.cpuUsage(t);
    return (used.user + used.system) / turns;
  };
  const nothing = () => {};
  const time = async (line: () => void) => {
    await cpuPerTurn(line, 2_000);
    const rounds: number[] = [];
    for (let round = 0; round < 5; round++) {
      const empty = await cpuPerTurn(nothing, 2_000);
      rounds.push((await cpuPerTurn(line, 2_000)) - empty);
    }
    return spread(rounds).median;
  };
  return { request: await time(request), audit: await time(audit) };
}

/** autocannon against `url` with the bearer token, for `seconds`. */
export function run(url: string, token: string, seconds: number, connections: number) {
  return autocannon({
    url,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
  });
}

/**
 * The order of the variants in round `round`: a Williams Latin square (for an even count), in
 * which over `count` rounds every variant runs in every position once and follows every other
 * variant exactly once, so none is always measured after the same neighbour (whose warmth or
 * garbage it would inherit). Row 0 is 0, 1, n−1, 2, n−2, …; each next row adds 1 (mod n).
 */
export function balancedOrder(count: number, round: number): number[] {
  const first = Array.from({ length: count }, (_, i) =>
    i === 0 ? 0 : i % 2 === 1 ? (i + 1) / 2 : count - i / 2,
  );
  return first.map((variant) => (variant + round) % count);
}

/** A variant's server process: its port, and its CPU time (`collect`: after a full GC). */
export interface VariantServer {
  port: number;
  control(collect?: boolean): Promise<{ cpuMicros: number; cache?: Record<string, number> }>;
  stop(): Promise<void>;
}

/**
 * Starts one server process serving `variant` and resolves when it listens. `serveWith`: the
 * services' own server (createAppServer of @repo/http, the default) or Node's plain
 * `http.createServer(app)`.
 */
export async function startVariant(
  variant: Variant,
  issuerBaseURL: string,
  serveWith: ServeWith = 'app-server',
): Promise<VariantServer> {
  const entry = fileURLToPath(new URL('../overhead/server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', entry], {
    env: {
      ...process.env,
      VARIANT: variant,
      SERVE_WITH: serveWith,
      ISSUER_BASE_URL: issuerBaseURL,
      AUDIENCE,
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const { port, control } = await new Promise<{ port: number; control: number }>(
    (resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${variant} server exited (${code})`)));
      lines.once('line', (line) => resolve(JSON.parse(line) as { port: number; control: number }));
    },
  );
  return {
    port,
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

/** The cache's counters of several shipped processes added up (its size and bounds: the last's). */
function addCacheStats(
  total: Record<string, number> | undefined,
  next: Record<string, number> | undefined,
): Record<string, number> | undefined {
  if (!total || !next) return next ?? total;
  const sum = { ...next };
  for (const [key, value] of Object.entries(total)) {
    if (!['size', 'maxEntries', 'generation'].includes(key)) sum[key] = (sum[key] ?? 0) + value;
  }
  return sum;
}

type Round = { result: autocannon.Result; cpuMicros: number };

/**
 * One set of fresh variant processes: each is checked and warmed up, then rounds `from` to `to`
 * (exclusive) are measured and appended to `results`. Returns the shipped cache's counters.
 */
async function measureWithFreshProcesses(
  options: OverheadOptions,
  from: number,
  to: number,
  results: Record<Variant, Round[]>,
): Promise<Record<string, number> | undefined> {
  const { token, connections, progress } = options;
  const servers = {} as Record<Variant, VariantServer>;
  const url = (variant: Variant) => `http://127.0.0.1:${servers[variant].port}${ROUTE}`;
  try {
    for (const variant of VARIANTS) {
      servers[variant] = await startVariant(variant, options.issuerBaseURL);
    }
    for (const variant of VARIANTS) {
      const res = await fetch(url(variant), { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 200) {
        throw new Error(`${variant}: GET ${ROUTE} answered ${res.status} ${await res.text()}`);
      }
    }
    for (const variant of VARIANTS) {
      await run(url(variant), token, options.warmupSeconds, connections);
    }
    for (let round = from; round < to; round++) {
      const order = balancedOrder(VARIANTS.length, round).map((i) => VARIANTS[i]!);
      for (const variant of order) {
        // Each variant starts on a clean heap: the garbage the previous one left is not its bill.
        const server = servers[variant];
        const before = (await server.control(true)).cpuMicros;
        const result = await run(url(variant), token, options.roundSeconds, connections);
        const cpuMicros = (await server.control()).cpuMicros - before;
        results[variant].push({ result, cpuMicros });
        const rps = result['2xx'] / result.duration;
        progress(
          `  round ${round + 1}/${options.rounds} ${variant.padEnd(16)} ${rps.toFixed(0).padStart(6)} req/s  p99 ${String(result.latency.p99).padStart(3)} ms  ${(cpuMicros / result['2xx']).toFixed(0)} µs CPU/req`,
        );
      }
    }
    return (await servers.shipped.control()).cache;
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
}

/**
 * The same cheap route served unprotected, with the library's default protection, with protectApi
 * without and with the verification cache. The rounds are split over `processes` sets of fresh
 * server processes (on a virtual machine one process of the same code can run at half the speed
 * of the next for its whole life); each set is warmed up, then the variants take turns round by
 * round in a balanced order so drift hits all of them alike.
 */
export async function measureOverhead(options: OverheadOptions): Promise<OverheadResult> {
  const { connections, progress } = options;
  const processes = Math.max(1, Math.min(options.processes, options.rounds));
  const results: Record<Variant, Round[]> = {
    unprotected: [],
    'library-default': [],
    'shipped-no-cache': [],
    shipped: [],
  };
  let cache: Record<string, number> | undefined;
  for (let set = 0; set < processes; set++) {
    const from = Math.round((set * options.rounds) / processes);
    const to = Math.round(((set + 1) * options.rounds) / processes);
    progress(
      `  processes ${set + 1}/${processes}: warm-up ${options.warmupSeconds} s each, then ${to - from === 1 ? `round ${to}` : `rounds ${from + 1}–${to}`}`,
    );
    cache = addCacheStats(cache, await measureWithFreshProcesses(options, from, to, results));
  }
  const rpsOf = ({ result: r }: Round) => r['2xx'] / r.duration;
  const cpuOf = ({ result: r, cpuMicros }: Round) => cpuMicros / Math.max(1, r['2xx']);
  const figures = (variant: Variant): VariantFigures => {
    const rounds = results[variant];
    const rps = spread(rounds.map(rpsOf));
    return {
      rps,
      p99Ms: spread(rounds.map(({ result: r }) => r.latency.p99)),
      p50Ms: spread(rounds.map(({ result: r }) => r.latency.p50)),
      cpuMicrosPerRequest: spread(rounds.map(cpuOf)),
      ratio: spread(rounds.map((round, i) => rpsOf(round) / rpsOf(results.unprotected[i]!))),
      cpuRatio: spread(rounds.map((round, i) => cpuOf(results.unprotected[i]!) / cpuOf(round))),
      failures: rounds.reduce((n, { result: r }) => n + r.non2xx + r.errors, 0),
    };
  };
  const logLineMicros = await measureLogLines();
  return {
    route: `GET ${ROUTE}`,
    rounds: options.rounds,
    processes,
    roundSeconds: options.roundSeconds,
    warmupSeconds: options.warmupSeconds,
    connections,
    variants: {
      unprotected: figures('unprotected'),
      'library-default': figures('library-default'),
      'shipped-no-cache': figures('shipped-no-cache'),
      shipped: figures('shipped'),
    },
    logLineMicros,
    cache,
  };
}
