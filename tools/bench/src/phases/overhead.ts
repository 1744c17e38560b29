import { microsPerTurn } from '../log-cost/per-turn.js';
import { benchLogger } from '../overhead/serve.js';
import { spread, type Spread } from '../stats.js';
import { ROUTE, VARIANTS, type Variant } from '../overhead/variants.js';
import {
  cpuOf,
  failuresOf,
  measureSideBySide,
  rpsOf,
  startVariant,
  type SideBySideOptions,
  type SideBySideSetup,
} from '../side-by-side.js';

export interface OverheadOptions extends SideBySideOptions {
  issuerBaseURL: string;
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

export interface OverheadResult extends SideBySideSetup {
  variants: Record<Variant, VariantFigures>;
  /**
   * CPU cost of one log line in this process, µs (see measureLogLines): the request line an
   * unprotected request writes, and the same line carrying protectApi's audit fields.
   */
  logLineMicros: { request: number; audit: number };
  /** Counters of the shipped variant's verification cache at the end. */
  cache: Record<string, number> | undefined;
}

/**
 * Times log lines shaped like the request line, without and with the audit fields (JSON, to a
 * sink), one line per turn of the event loop (see microsPerTurn).
 */
async function measureLogLines(): Promise<{ request: number; audit: number }> {
  const log = benchLogger().child({ requestId: '0b9f3c1e-8a4d-4f7e-9c2b-5d6e7f809a1b' });
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
  return { request: await microsPerTurn(request), audit: await microsPerTurn(audit) };
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

/**
 * The same cheap route served unprotected, with the library's default protection, with protectApi
 * without and with the verification cache, side by side (see {@link measureSideBySide}).
 */
export async function measureOverhead(options: OverheadOptions): Promise<OverheadResult> {
  let cache: Record<string, number> | undefined;
  const { setup, results } = await measureSideBySide(
    VARIANTS,
    (variant) => startVariant(variant, options.issuerBaseURL),
    options,
    async (servers) => {
      cache = addCacheStats(cache, (await servers.shipped.control()).cache);
    },
  );
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
      failures: failuresOf(rounds),
    };
  };
  const logLineMicros = await measureLogLines();
  return {
    ...setup,
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
