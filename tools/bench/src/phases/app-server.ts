import { spread, type Spread } from '../stats.js';
import { SERVE_WITH, type ServeWith } from '../overhead/variants.js';
import {
  cpuOf,
  failuresOf,
  measureSideBySide,
  rpsOf,
  startVariant,
  type SideBySideOptions,
  type SideBySideSetup,
} from '../side-by-side.js';

export interface AppServerOptions extends SideBySideOptions {
  issuerBaseURL: string;
}

export interface ServedFigures {
  /** Successful requests per second, over the rounds. */
  rps: Spread;
  /** Server CPU time per successful request, µs, over the rounds. */
  cpuMicrosPerRequest: Spread;
  /** Responses other than 2xx, and socket errors, over all rounds (must be 0). */
  failures: number;
}

export interface AppServerResult extends SideBySideSetup {
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
 * and every variant of the overhead phase uses; side by side (see {@link measureSideBySide}).
 */
export async function measureAppServer(options: AppServerOptions): Promise<AppServerResult> {
  const { setup, results } = await measureSideBySide(
    SERVE_WITH,
    (serveWith) => startVariant('unprotected', options.issuerBaseURL, serveWith),
    options,
  );
  const figures = (serveWith: ServeWith): ServedFigures => ({
    rps: spread(results[serveWith].map(rpsOf)),
    cpuMicrosPerRequest: spread(results[serveWith].map(cpuOf)),
    failures: failuresOf(results[serveWith]),
  });
  const app = results['app-server'];
  const node = results['node-http'];
  return {
    ...setup,
    served: { 'app-server': figures('app-server'), 'node-http': figures('node-http') },
    ratio: spread(app.map((round, i) => rpsOf(round) / rpsOf(node[i]!))),
    cpuRatio: spread(app.map((round, i) => cpuOf(node[i]!) / cpuOf(round))),
  };
}
