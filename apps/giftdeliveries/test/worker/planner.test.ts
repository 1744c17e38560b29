import axios, { AxiosError, AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it } from 'vitest';
import { TokenEndpointUnavailableError, TokenRequestError } from '@repo/token-client';
import type { Delivery } from '../../src/domain.js';
import { createPlanner } from '../../src/worker/planner.js';
import { PlanningError, WorldmappersClient } from '../../src/worker/worldmappers-client.js';

type Answer = { status: number; data: unknown; headers?: Record<string, string> };

/** worldmappers-api as a function of path and query. */
function fakeApi(answer: (path: string, query: URLSearchParams) => Answer | Error) {
  const seen: string[] = [];
  const http = axios.create({
    adapter: async (config: InternalAxiosRequestConfig) => {
      const url = new URL(axios.getUri(config), 'http://wm.test');
      seen.push(`${url.pathname}?${url.searchParams.toString()}`);
      const result = answer(url.pathname, url.searchParams);
      if (result instanceof Error) throw result;
      const response = {
        ...result,
        statusText: '',
        headers: new AxiosHeaders(result.headers),
        config,
      };
      if (result.status >= 400) {
        throw new AxiosError('failed', 'ERR_BAD_RESPONSE', config, undefined, response);
      }
      return response;
    },
  });
  return { planner: createPlanner(new WorldmappersClient(http)), seen };
}

const delivery = { id: 'd1', destination: 'Kyoto, JP', origin: 'Rovaniemi, FI' } as Delivery;
/** Answers as worldmappers-api sends them (@repo/contracts' placeSchema and directionsSchema). */
const kyoto = {
  name: 'Kyoto',
  country: 'JP',
  countryName: 'Japan',
  admin1Code: '22',
  lat: 35.02,
  lng: 135.75,
  population: 1459640,
  geonameId: 1857910,
};
const rovaniemi = {
  name: 'Rovaniemi',
  country: 'FI',
  countryName: 'Finland',
  lat: 66.5,
  lng: 25.72,
  population: 62667,
  geonameId: 638936,
};
const directions = (mode: string) => ({
  mode,
  origin: rovaniemi,
  destination: kyoto,
  distanceKm: 9100.4,
  durationMinutes: 6120,
  greatCircleKm: 7300.2,
  steps: [{ step: 1, action: 'Head south to Oulu', distanceKm: 190, durationMinutes: 130 }],
  geometry: {
    type: 'LineString',
    coordinates: [
      [25.72, 66.5],
      [135.75, 35.02],
    ],
  },
});

describe('createPlanner', () => {
  it('geocodes the destination, then asks for road directions to its coordinates', async () => {
    const { planner, seen } = fakeApi((path) =>
      path === '/api/location/geocode'
        ? { status: 200, data: kyoto }
        : { status: 200, data: directions('road') },
    );
    const route = await planner(delivery);
    expect(seen).toEqual([
      '/api/location/geocode?address=Kyoto%2C+JP',
      '/api/directions?origin=Rovaniemi%2C+FI&destination=35.02%2C135.75&mode=road',
    ]);
    expect(route).toEqual({
      mode: 'road',
      from: { name: 'Rovaniemi', country: 'FI', lat: 66.5, lng: 25.72 },
      to: { name: 'Kyoto', country: 'JP', lat: 35.02, lng: 135.75 },
      distanceKm: 9100.4,
      durationMinutes: 6120,
      steps: [{ action: 'Head south to Oulu', distanceKm: 190, durationMinutes: 130 }],
      geometry: directions('road').geometry,
    });
  });

  it('falls back to the sleigh when there is no road route (422 no_route)', async () => {
    const { planner, seen } = fakeApi((path, query) => {
      if (path === '/api/location/geocode') return { status: 200, data: kyoto };
      if (query.get('mode') === 'road') {
        return { status: 422, data: { error: 'no_route', error_description: 'try mode=sleigh' } };
      }
      return { status: 200, data: directions('sleigh') };
    });
    const route = await planner(delivery);
    expect(route.mode).toBe('sleigh');
    expect(seen.at(-1)).toContain('mode=sleigh');
  });

  it('does not store a long line', async () => {
    const long = {
      ...directions('road'),
      geometry: { type: 'LineString', coordinates: Array.from({ length: 501 }, () => [0, 0]) },
    };
    const { planner } = fakeApi((path) =>
      path === '/api/location/geocode' ? { status: 200, data: kyoto } : { status: 200, data: long },
    );
    expect((await planner(delivery)).geometry).toBeUndefined();
  });

  it.each([
    [
      { status: 404, data: { error: 'not_found', error_description: 'No place "Atlantis".' } },
      true,
    ],
    [{ status: 400, data: { error: 'invalid_request' } }, true],
    [{ status: 503, data: { error: 'temporarily_unavailable' } }, false],
    [{ status: 500, data: {} }, false],
    [{ status: 401, data: { error: 'invalid_token' } }, false],
    [{ status: 429, data: {} }, false],
  ])('classifies %j from geocoding as permanent=%s', async (answer, permanent) => {
    const { planner } = fakeApi(() => answer);
    const error = (await planner(delivery).catch((e: unknown) => e)) as PlanningError;
    expect(error).toBeInstanceOf(PlanningError);
    expect(error.permanent).toBe(permanent);
  });

  it('names the API’s refusal in the reason', async () => {
    const { planner } = fakeApi(() => ({
      status: 404,
      data: { error: 'not_found', error_description: 'No place "Atlantis".' },
    }));
    const error = (await planner({ ...delivery, destination: 'Atlantis' }).catch(
      (e: unknown) => e,
    )) as PlanningError;
    expect(error.message).toBe(
      'geocoding "Atlantis" refused: HTTP 404 not_found: No place "Atlantis".',
    );
  });

  it('keeps the delivery pending on a 429 of worldmappers-api, carrying its Retry-After', async () => {
    const { planner } = fakeApi(() => ({
      status: 429,
      headers: { 'retry-after': '7' },
      data: {
        error: 'rate_limited',
        error_description:
          'Too many requests: this API allows 1000 requests per second per client; retry after 7 s.',
      },
    }));
    const error = (await planner(delivery).catch((e: unknown) => e)) as PlanningError;
    expect(error).toBeInstanceOf(PlanningError);
    expect(error.permanent).toBe(false);
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(7_000);
    expect(error.summary).toBe('geocoding "Kyoto, JP" refused');
  });

  it.each([
    ['an unreachable API', new AxiosError('connect ECONNREFUSED', 'ECONNREFUSED')],
    ['an unreachable authorization server', new TokenEndpointUnavailableError('down', 3)],
    ['a refused token request', new TokenRequestError('invalid_client', 'check CLIENT_SECRET', [])],
  ])('keeps the delivery pending for %s', async (_name, thrown) => {
    const { planner } = fakeApi(() => thrown);
    const error = (await planner(delivery).catch((e: unknown) => e)) as PlanningError;
    expect(error).toBeInstanceOf(PlanningError);
    expect(error.permanent).toBe(false);
  });

  it.each([
    [
      'a place wrapped in an envelope',
      { place: kyoto },
      'geocoding "Kyoto, JP": the answer does not match the worldmappers-api contract: name: Invalid input: expected string, received undefined; country: Invalid input: expected string, received undefined; countryName: Invalid input: expected string, received undefined (and 5 more)',
    ],
    [
      'a place with a field the contract does not know',
      { ...kyoto, latitude: 35.02 },
      'geocoding "Kyoto, JP": the answer does not match the worldmappers-api contract: the answer: Unrecognized key: "latitude"',
    ],
    [
      'coordinates as text',
      { ...kyoto, lat: '35.02' },
      'geocoding "Kyoto, JP": the answer does not match the worldmappers-api contract: lat: Invalid input: expected number, received string',
    ],
  ])('fails the delivery for good, naming the mismatch, on %s', async (_name, data, reason) => {
    const { planner, seen } = fakeApi(() => ({ status: 200, data }));
    const error = (await planner(delivery).catch((e: unknown) => e)) as PlanningError;
    expect(error).toBeInstanceOf(PlanningError);
    expect(error.permanent).toBe(true);
    expect(error.message).toBe(reason);
    expect(seen).toHaveLength(1);
  });

  it('fails the delivery for good on directions outside the contract (a GeoJSON Feature)', async () => {
    const feature = {
      ...directions('road'),
      geometry: { type: 'Feature', geometry: directions('road').geometry },
    };
    const { planner } = fakeApi((path) =>
      path === '/api/location/geocode'
        ? { status: 200, data: kyoto }
        : { status: 200, data: feature },
    );
    const error = (await planner(delivery).catch((e: unknown) => e)) as PlanningError;
    expect(error.permanent).toBe(true);
    expect(error.message).toBe(
      'directions road from "Rovaniemi, FI" to "35.02,135.75": the answer does not match the worldmappers-api contract: geometry.type: Invalid input: expected "LineString"; geometry.coordinates: Invalid input: expected array, received undefined; geometry: Unrecognized key: "geometry"',
    );
  });
});
