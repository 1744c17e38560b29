import { describe, expect, it } from 'vitest';
import { directionsSchema, placeSchema, reverseGeocodeSchema } from '../src/index.js';

const kyoto = {
  name: 'Kyoto',
  country: 'JP',
  countryName: 'Japan',
  admin1Code: '22',
  lat: 35.02107,
  lng: 135.75385,
  population: 1459640,
  geonameId: 1857910,
};
const osaka = { ...kyoto, name: 'Osaka', admin1Code: '32', lat: 34.69374, lng: 135.50218 };
const directions = {
  mode: 'road',
  origin: kyoto,
  destination: osaka,
  distanceKm: 47.2,
  durationMinutes: 35.4,
  greatCircleKm: 42.8,
  steps: [{ step: 1, action: 'Head south-west to Osaka', distanceKm: 47.2, durationMinutes: 35.4 }],
  geometry: {
    type: 'LineString',
    coordinates: [
      [135.75385, 35.02107],
      [135.50218, 34.69374],
    ],
  },
};

describe('the place schema', () => {
  it('accepts a place with and without its admin1 code', () => {
    expect(placeSchema.parse(kyoto)).toEqual(kyoto);
    const { admin1Code: _, ...withoutAdmin } = kyoto;
    expect(placeSchema.safeParse(withoutAdmin).success).toBe(true);
  });

  it('refuses an extra field, a guessed alternative name, and a missing one', () => {
    expect(placeSchema.safeParse({ ...kyoto, latitude: 35 }).error?.issues).toEqual([
      expect.objectContaining({ code: 'unrecognized_keys', keys: ['latitude'] }),
    ]);
    const { lat: _, ...withoutLat } = kyoto;
    expect(placeSchema.safeParse(withoutLat).error?.issues).toEqual([
      expect.objectContaining({ path: ['lat'], code: 'invalid_type' }),
    ]);
  });

  it('adds distanceKm for reverse geocoding, and only there', () => {
    expect(reverseGeocodeSchema.safeParse({ ...kyoto, distanceKm: 1.2 }).success).toBe(true);
    expect(reverseGeocodeSchema.safeParse(kyoto).success).toBe(false);
    expect(placeSchema.safeParse({ ...kyoto, distanceKm: 1.2 }).success).toBe(false);
  });
});

describe('the directions schema', () => {
  it('accepts road directions, and a ferry step', () => {
    expect(directionsSchema.parse(directions)).toEqual(directions);
    const ferry = { ...directions.steps[0], ferry: true };
    expect(directionsSchema.safeParse({ ...directions, steps: [ferry] }).success).toBe(true);
  });

  it('refuses a line wrapped in a GeoJSON Feature and a summary object', () => {
    const feature = { type: 'Feature', geometry: directions.geometry };
    expect(directionsSchema.safeParse({ ...directions, geometry: feature }).success).toBe(false);
    const { distanceKm: _, ...rest } = directions;
    expect(directionsSchema.safeParse({ ...rest, summary: { distanceKm: 1 } }).success).toBe(false);
  });

  it('refuses an unknown mode', () => {
    expect(directionsSchema.safeParse({ ...directions, mode: 'plane' }).success).toBe(false);
  });
});
