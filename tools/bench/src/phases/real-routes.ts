import { fileURLToPath } from 'node:url';
import { DEMO_CLIENTS } from '@repo/contracts';
import { jwtParts } from '@repo/testkit';
import { createTokenProvider } from '@repo/token-client';
import { giftdeliveriesTokens } from '../demo-client.js';
import { spread, type Spread } from '../stats.js';
import {
  cpuOf,
  failuresOf,
  measureSideBySide,
  rpsOf,
  startServer,
  type ContestantRequest,
  type Round,
  type SideBySideOptions,
  type SideBySideSetup,
  type VariantServer,
} from '../side-by-side.js';

/** The shipped routes' requests, each answered 200 (a typical place, point and pair). */
export const REAL_ROUTES = {
  geocode: '/api/location/geocode?address=Tokyo',
  'reverse-geocode': '/api/location/reverse-geocode?lat=35.68&lng=139.69',
  directions: '/api/directions?origin=Paris&destination=Berlin',
} as const;
export type RealRoute = keyof typeof REAL_ROUTES;

/**
 * The contestants: each route unprotected and protected, and the refusals of the protected app
 * (no token, a forged one, a valid token without the route's scope).
 */
export const CONTESTANTS = [
  'geocode',
  'geocode protected',
  'reverse-geocode',
  'reverse-geocode protected',
  'directions',
  'directions protected',
  '401 no token',
  '401 forged token',
  '403 missing scope',
] as const;
export type Contestant = (typeof CONTESTANTS)[number];

/** Which contestant is measured against which, as `[of, against]` (ratio = of ÷ against). */
export const COMPARISONS: readonly (readonly [Contestant, Contestant])[] = [
  ['geocode protected', 'geocode'],
  ['reverse-geocode protected', 'reverse-geocode'],
  ['directions protected', 'directions'],
  ['401 no token', 'geocode protected'],
  ['401 forged token', 'geocode protected'],
  ['403 missing scope', 'reverse-geocode protected'],
];

export interface ContestantFigures {
  request: string;
  status: number;
  rps: Spread;
  p99Ms: Spread;
  cpuMicrosPerRequest: Spread;
  failures: number;
}

export interface Comparison {
  of: Contestant;
  against: Contestant;
  /** Requests/s of `of` ÷ those of `against` in the same round. */
  ratio: Spread;
  /** CPU per request of `against` ÷ that of `of`, per round (≥ 1: `of` costs no more). */
  cpuRatio: Spread;
}

export interface RealRoutesResult extends SideBySideSetup {
  contestants: Record<Contestant, ContestantFigures>;
  comparisons: Comparison[];
}

/** Ratios within each round of `of` against `against` (both measured in the same rounds). */
export function compare(
  results: Record<Contestant, readonly Round[]>,
  of: Contestant,
  against: Contestant,
): Comparison {
  const base = results[against];
  return {
    of,
    against,
    ratio: spread(results[of].map((round, i) => rpsOf(round) / rpsOf(base[i]!))),
    cpuRatio: spread(results[of].map((round, i) => cpuOf(base[i]!) / cpuOf(round))),
  };
}

/** A token whose signature no longer matches (one character of it changed). */
export function forge(token: string): string {
  const { header, payload, signature } = jwtParts(token);
  const at = Math.floor(signature.length / 2);
  const changed = signature[at] === 'A' ? 'B' : 'A';
  return `${header}.${payload}.${signature.slice(0, at)}${changed}${signature.slice(at + 1)}`;
}

export interface RealRoutesOptions extends SideBySideOptions {
  issuerBaseURL: string;
}

/**
 * worldmappers-api's own route handlers over its real world, unprotected and in the shipped app
 * (protectApi with its verification cache), side by side in the interleaved rounds of
 * {@link measureSideBySide}; the refusals are measured on the shipped app against the success of
 * the same route. One process per set serves them all, the unprotected handlers and the shipped
 * app on two ports (only one contestant is loaded at a time).
 */
export async function measureRealRoutes(options: RealRoutesOptions): Promise<RealRoutesResult> {
  const { issuerBaseURL } = options;
  const token = await giftdeliveriesTokens(issuerBaseURL).getAccessToken();
  const { id, devSecret } = DEMO_CLIENTS['store-locator'];
  const geocodeOnly = await createTokenProvider({
    clientId: id,
    clientSecret: devSecret,
    audience: 'urn:worldmappers',
    issuerBaseURL,
  }).getAccessToken();
  const request = (name: Contestant): ContestantRequest => {
    switch (name) {
      case '401 no token':
        return { path: REAL_ROUTES.geocode, token: null, status: 401 };
      case '401 forged token':
        return { path: REAL_ROUTES.geocode, token: forge(token), status: 401 };
      case '403 missing scope':
        return { path: REAL_ROUTES['reverse-geocode'], token: geocodeOnly, status: 403 };
      default:
        return {
          path: REAL_ROUTES[name.replace(' protected', '') as RealRoute],
          token,
          status: 200,
        };
    }
  };
  const entry = fileURLToPath(new URL('../real-routes/server.ts', import.meta.url));
  // One process per set serves every contestant: the unprotected handlers on its first port,
  // the shipped app on its second.
  let running: Promise<VariantServer> | undefined;
  const start = async (name: Contestant): Promise<VariantServer> => {
    running ??= startServer(entry, {
      ISSUER_BASE_URL: issuerBaseURL,
      AUDIENCE: 'urn:worldmappers',
    });
    const server = await running;
    const shipped = name.includes('protected') || /^40[13]/.test(name);
    return {
      ...server,
      port: server.ports[shipped ? 1 : 0]!,
      stop: () => {
        running = undefined;
        return server.stop();
      },
    };
  };
  const { setup, results } = await measureSideBySide(CONTESTANTS, start, {
    ...options,
    token,
    request,
  });
  const figures = (name: Contestant): ContestantFigures => {
    const rounds = results[name];
    const { path, status } = request(name);
    return {
      request: `GET ${path}`,
      status,
      rps: spread(rounds.map(rpsOf)),
      p99Ms: spread(rounds.map(({ result: r }) => r.latency.p99)),
      cpuMicrosPerRequest: spread(rounds.map(cpuOf)),
      failures: failuresOf(rounds),
    };
  };
  return {
    ...setup,
    route: 'GET /api/location/geocode, /api/location/reverse-geocode, /api/directions',
    contestants: Object.fromEntries(CONTESTANTS.map((name) => [name, figures(name)])) as Record<
      Contestant,
      ContestantFigures
    >,
    comparisons: COMPARISONS.map(([of, against]) => compare(results, of, against)),
  };
}
