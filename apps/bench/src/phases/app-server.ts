import { spread, type Spread } from '../stats.js';
import { ROUTE, SERVE_WITH, type ServeWith } from '../overhead/variants.js';
import { balancedOrder, run, startVariant, type VariantServer } from './overhead.js';

export interface AppServerOptions {
  issuerBaseURL: string;
  token: string;
  rounds: number;
  /** Pairs of fresh server processes the rounds are split over. */
  processes: number;
  roundSeconds: number;
  warmupSeconds: number;
  connections: number;
  progress: (line: string) => void;
}

export interface ServedFigures {
  /** Successful requests per second, over the rounds. */
  rps: Spread;
  /** Server CPU time per successful request, µs, over the rounds. */
  cpuMicrosPerRequest: Spread;
  /** Responses other than 2xx, and socket errors, over all rounds (must be 0). */
  failures: number;
}

export interface AppServerResult {
  route: string;
  rounds: number;
  processes: number;
  roundSeconds: number;
  warmupSeconds: number;
  connections: number;
  served: Record<ServeWith, ServedFigures>;
  /** createAppServer's requests/s over http.createServer's, round by round. */
  ratio: Spread;
  /** http.createServer's CPU per request over createAppServer's, round by round. */
  cpuRatio: Spread;
}

type Round = { rps: number; cpu: number; failures: number };

/**
 * One pair of fresh processes (one per way of serving), checked and warmed up; then rounds `from`
 * to `to` (exclusive) are measured and appended to `results`.
 */
async function measurePair(
  options: AppServerOptions,
  from: number,
  to: number,
  results: Record<ServeWith, Round[]>,
): Promise<void> {
  const { token, connections, progress } = options;
  const servers = {} as Record<ServeWith, VariantServer>;
  const url = (serveWith: ServeWith) => `http://127.0.0.1:${servers[serveWith].port}${ROUTE}`;
  try {
    for (const serveWith of SERVE_WITH) {
      servers[serveWith] = await startVariant('unprotected', options.issuerBaseURL, serveWith);
    }
    for (const serveWith of SERVE_WITH) {
      const res = await fetch(url(serveWith), { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 200) {
        throw new Error(`${serveWith}: GET ${ROUTE} answered ${res.status} ${await res.text()}`);
      }
      await run(url(serveWith), token, options.warmupSeconds, connections);
    }
    for (let round = from; round < to; round++) {
      for (const i of balancedOrder(SERVE_WITH.length, round)) {
        const serveWith = SERVE_WITH[i]!;
        const server = servers[serveWith];
        const before = (await server.control(true)).cpuMicros;
        const result = await run(url(serveWith), token, options.roundSeconds, connections);
        const cpuMicros = (await server.control()).cpuMicros - before;
        const ok = result['2xx'];
        results[serveWith].push({
          rps: ok / result.duration,
          cpu: cpuMicros / Math.max(1, ok),
          failures: result.non2xx + result.errors,
        });
        progress(
          `  round ${round + 1}/${options.rounds} ${serveWith.padEnd(10)} ${(ok / result.duration).toFixed(0).padStart(6)} req/s  ${(cpuMicros / Math.max(1, ok)).toFixed(0)} µs CPU/req`,
        );
      }
    }
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
}

/**
 * The unprotected cheap route served two ways, each by a process of its own: by Node's
 * `http.createServer(app)` (Express switches every request's prototype on arrival) and by
 * createAppServer of @repo/http (requests created with the app's prototypes), which every service
 * and every variant of the overhead phase uses. As in the overhead phase, the rounds are split over
 * fresh pairs of processes, each warmed up, the two taking turns and paired within rounds.
 */
export async function measureAppServer(options: AppServerOptions): Promise<AppServerResult> {
  const results: Record<ServeWith, Round[]> = { 'app-server': [], 'node-http': [] };
  const processes = Math.max(1, Math.min(options.processes, options.rounds));
  for (let set = 0; set < processes; set++) {
    const from = Math.round((set * options.rounds) / processes);
    const to = Math.round(((set + 1) * options.rounds) / processes);
    options.progress(`  processes ${set + 1}/${processes}`);
    await measurePair(options, from, to, results);
  }
  const figures = (serveWith: ServeWith): ServedFigures => ({
    rps: spread(results[serveWith].map((r) => r.rps)),
    cpuMicrosPerRequest: spread(results[serveWith].map((r) => r.cpu)),
    failures: results[serveWith].reduce((n, r) => n + r.failures, 0),
  });
  const app = results['app-server'];
  const node = results['node-http'];
  return {
    route: `GET ${ROUTE}`,
    rounds: options.rounds,
    processes,
    roundSeconds: options.roundSeconds,
    warmupSeconds: options.warmupSeconds,
    connections: options.connections,
    served: { 'app-server': figures('app-server'), 'node-http': figures('node-http') },
    ratio: spread(app.map((r, i) => r.rps / node[i]!.rps)),
    cpuRatio: spread(app.map((r, i) => node[i]!.cpu / r.cpu)),
  };
}
