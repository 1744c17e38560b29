import { giftdeliveriesTokens } from '../demo-client.js';
import { latencies, type Latencies } from '../stats.js';
// The fixed pair set is owned by worldmappers-api's own benchmark (issue 4).
import { DIRECTIONS_PAIRS } from '../directions/pairs.js';

export interface DirectionsResult {
  transport: string;
  pairs: number;
  rounds: number;
  /** Time waited for worldmappers-api's routing landmarks (its `/readyz` says `ready`). */
  landmarksWaitMs: number;
  directions: Latencies;
  geocodeQueries: number;
  geocode: Latencies;
  /** Answers other than 200 (must be 0). */
  failures: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Directions over the fixed pair set and geocoding of every place in it, over HTTP against the
 * worldmappers-api process, one request at a time (latency, not throughput), with a real
 * access token: what a client sees, authorization included.
 */
export async function measureDirections(options: {
  issuer: string;
  baseUrl: string;
  rounds: number;
  geocodeRounds: number;
}): Promise<DirectionsResult> {
  const provider = giftdeliveriesTokens(options.issuer);
  const authorization = `Bearer ${await provider.getAccessToken()}`;

  const t0 = performance.now();
  for (;;) {
    const res = await fetch(`${options.baseUrl}/readyz`);
    const body = (await res.json()) as { checks?: { routing?: { landmarks?: string } } };
    if (body.checks?.routing?.landmarks === 'ready' || body.checks?.routing === undefined) break;
    if (performance.now() - t0 > 120_000) break;
    await sleep(100);
  }
  const landmarksWaitMs = performance.now() - t0;

  let failures = 0;
  const timeGet = async (path: string) => {
    const t = performance.now();
    const res = await fetch(`${options.baseUrl}${path}`, { headers: { authorization } });
    await res.arrayBuffer();
    const ms = performance.now() - t;
    if (res.status !== 200) failures++;
    return ms;
  };
  const directionsPath = ([a, b]: readonly [string, string]) =>
    `/api/directions?${new URLSearchParams({ origin: a, destination: b })}`;
  const geocodePath = (place: string) =>
    `/api/location/geocode?${new URLSearchParams({ address: place })}`;

  // Warm-up: one pass over everything (JIT, the verification cache, lazy indexes).
  for (const pair of DIRECTIONS_PAIRS) await timeGet(directionsPath(pair));
  const places = [...new Set(DIRECTIONS_PAIRS.flat())];
  for (const place of places) await timeGet(geocodePath(place));
  failures = 0;

  const directionSamples: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    for (const pair of DIRECTIONS_PAIRS) directionSamples.push(await timeGet(directionsPath(pair)));
  }
  const geocodeSamples: number[] = [];
  for (let round = 0; round < options.geocodeRounds; round++) {
    for (const place of places) geocodeSamples.push(await timeGet(geocodePath(place)));
  }
  return {
    transport:
      'HTTP/1.1 keep-alive over 127.0.0.1 to the worldmappers-api process, one request at a time, bearer token included',
    pairs: DIRECTIONS_PAIRS.length,
    rounds: options.rounds,
    landmarksWaitMs,
    directions: latencies(directionSamples),
    geocodeQueries: places.length,
    geocode: latencies(geocodeSamples),
    failures,
  };
}
