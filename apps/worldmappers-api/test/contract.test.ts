import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  directionsSchema,
  oauthErrorSchema,
  placeSchema,
  reverseGeocodeSchema,
  type Directions,
} from '@repo/contracts';
import { startTestIssuer, testLogger, type TestIssuer } from '@repo/testkit';
import type { z } from '@repo/config';
import { createApp } from '../src/app.js';
import { buildWorld } from '../src/world/world.js';

const AUDIENCE = 'urn:worldmappers';
const world = buildWorld();
world.router.prepareLandmarks();
const { logger } = testLogger({ level: 'error' });

let issuer: TestIssuer;
let app: ReturnType<typeof createApp>;
let token: string;

beforeAll(async () => {
  issuer = await startTestIssuer();
  app = createApp({ logger, world, auth: { issuerBaseURL: issuer.issuer, audience: AUDIENCE } });
  token = await issuer.mint({
    audience: AUDIENCE,
    scope: 'geocode:location reverse-geocode:location directions',
  });
});
afterAll(() => issuer.close());

/** The body of a real answer, checked against a contract schema (issues shown on failure). */
async function answer(schema: z.ZodType, path: string, status: number, bearer = token) {
  const res = await request(app).get(path).set('Authorization', `Bearer ${bearer}`);
  expect(res.status).toBe(status);
  const parsed = schema.safeParse(res.body);
  expect(parsed.error?.issues ?? []).toEqual([]);
  return res.body as unknown;
}

describe('worldmappers-api answers what @repo/contracts says', () => {
  it.each(['Tokyo', 'Kyoto, JP', 'Sao Paulo, Brazil', 'Paris'])(
    'geocode "%s" is a place',
    async (address) => {
      await answer(
        placeSchema,
        `/api/location/geocode?address=${encodeURIComponent(address)}`,
        200,
      );
    },
  );

  it.each([
    ['48.8566', '2.3522'],
    ['0', '0'],
    ['-33.87', '151.21'],
  ])('reverse-geocode %s,%s is a place with its distance', async (lat, lng) => {
    await answer(reverseGeocodeSchema, `/api/location/reverse-geocode?lat=${lat}&lng=${lng}`, 200);
  });

  it.each([
    ['Kyoto', 'Osaka', 'road'],
    ['Rovaniemi', 'Helsinki', 'road'],
    ['Helsinki', 'Tallinn', 'road'],
    ['48.8566,2.3522', 'Lyon', 'road'],
    ['Rovaniemi', 'Tokyo', 'sleigh'],
    ['Oslo', 'Oslo', 'sleigh'],
  ])('directions %s → %s by %s are directions', async (origin, destination, mode) => {
    const query = new URLSearchParams({ origin, destination, mode });
    const body = (await answer(directionsSchema, `/api/directions?${query}`, 200)) as Directions;
    expect(body.mode).toBe(mode);
  });

  it.each([
    ['a bad query', '/api/location/geocode', 400],
    ['an unknown place', '/api/location/geocode?address=Qwxzzy', 404],
    ['no road', '/api/directions?origin=Honolulu&destination=Tokyo', 422],
    ['an unknown route', '/api/nope', 404],
  ])('an error for %s is {error, error_description}', async (_name, path, status) => {
    await answer(oauthErrorSchema, path, status);
  });

  it('refusals of the token are {error, error_description} too', async () => {
    await answer(oauthErrorSchema, '/api/directions?origin=Oslo&destination=Bergen', 401, 'x.y.z');
    const geocodeOnly = await issuer.mint({ audience: AUDIENCE, scope: 'geocode:location' });
    await answer(
      oauthErrorSchema,
      '/api/directions?origin=Oslo&destination=Bergen',
      403,
      geocodeOnly,
    );
  });
});
