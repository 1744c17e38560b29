import { spread, type Spread } from '../stats.js';
import { ROUTE, SERVE_WITH, type ServeWith } from '../overhead/variants.js';
import { balancedOrder, run, startVariant, type VariantServer } from './overhead.js';

export interface AppServerOptions {
  issuerBaseURL: string;
  token: string;
  rounds: number;
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
  roundSeconds: number;
  warmupSeconds: number;
  connections: number;
  served: Record<ServeWith, ServedFigures>;
  /** createAppServer's requests/s over http.createServer's, round by round. */
  ratio: Spread;
  /** http.createServer's CPU per request over createAppServer's, round by round. */
  cpuRatio: Spread;
}

/**
 * The unprotected cheap route served two ways, each by a process of its own: by Node's
 * `http.createServer(app)` (Express switches every request's prototype on arrival) and by
 * createAppServer of @repo/http (requests created with the app's prototypes), which every service
 * and every variant of the overhead phase uses. Same warm-up, balanced turns and pairing within
 * rounds as the overhead phase.
 */
export async function measureAppServer(options: AppServerOptions): Promise<AppServerResult> {
  const { token, connections, progress } = options;
  const servers = {} as Record<ServeWith, VariantServer>;
  const results: Record<ServeWith, { rps: number; cpu: number; failures: number }[]> = {
    'app-server': [],
    'node-http': [],
  };
  const url = (serveWith: ServeWith) => `http://127.0.0.1:${servers[serveWith].port}${ROUTE}`;
  try {
    for (const serveWith of SERVE_WITH) {
      servers[serveWith] = await startVariant('unprotected', options.issuerBaseURL, serveWith);
    }
    for (const serveWith of SERVE_WITH) {
      await run(url(serveWith), token, options.warmupSeconds, connections);
    }
    for (let round = 0; round < options.rounds; round++) {
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
    roundSeconds: options.roundSeconds,
    warmupSeconds: options.warmupSeconds,
    connections,
    served: { 'app-server': figures('app-server'), 'node-http': figures('node-http') },
    ratio: spread(app.map((r, i) => r.rps / node[i]!.rps)),
    cpuRatio: spread(app.map((r, i) => node[i]!.cpu / r.cpu)),
  };
}
