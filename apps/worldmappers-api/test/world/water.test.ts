import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { describe, expect, it } from 'vitest';
import { distanceKm } from '../../src/world/geo.js';
import { isSea, LandMask, seaShare, type Ring } from '../../src/world/water.js';

/** Natural Earth's rings, read here apart from the module under test. */
function naturalEarthRings(): Ring[] {
  const file = createRequire(import.meta.url).resolve('world-atlas/land-10m.json');
  const topology = JSON.parse(readFileSync(file, 'utf8')) as Topology<{
    land: GeometryCollection;
  }>;
  return feature(topology, topology.objects.land).features.flatMap((f) =>
    f.geometry.type === 'Polygon'
      ? f.geometry.coordinates
      : f.geometry.type === 'MultiPolygon'
        ? f.geometry.coordinates.flat()
        : [],
  );
}

const rings = naturalEarthRings();
const land = new LandMask(rings);

/** Every ring edge once, as flat coordinates (a, b) → (c, d): the brute force reads them 300 times. */
const edges = (() => {
  const flat: number[] = [];
  for (const ring of rings) {
    for (let i = 1; i < ring.length; i++) {
      flat.push(ring[i - 1]![0]!, ring[i - 1]![1]!, ring[i]![0]!, ring[i]![1]!);
    }
  }
  return Float64Array.from(flat);
})();

/**
 * Brute force, another way round: the even–odd count of ring edges that the meridian from the
 * point to the North Pole (at sea) crosses. An edge over the antimeridian is taken the short way.
 */
function onLandByBruteForce(lat: number, lng: number): boolean {
  let inside = false;
  for (let e = 0; e < edges.length; e += 4) {
    let xa = edges[e]!;
    const ya = edges[e + 1]!;
    let xb = edges[e + 2]!;
    const yb = edges[e + 3]!;
    if (Math.abs(xb - xa) > 180) {
      // Shift the end on the point's side of the globe next to the other one.
      if (lng >= 0) {
        if (xa < 0) xa += 360;
        if (xb < 0) xb += 360;
      } else {
        if (xa > 0) xa -= 360;
        if (xb > 0) xb -= 360;
      }
    }
    if (xa > lng === xb > lng) continue;
    if (ya + ((lng - xa) / (xb - xa)) * (yb - ya) > lat) inside = !inside;
  }
  return inside;
}

/** Deterministic pseudo-random numbers in [0, 1) (Park–Miller). */
function random(seed: number) {
  return () => (seed = (seed * 16807) % 2147483647) / 2147483647;
}

const share = (a: readonly [number, number], b: readonly [number, number]) =>
  seaShare(land, a[0], a[1], b[0], b[1], distanceKm(a[0], a[1], b[0], b[1]));

describe('LandMask', () => {
  it.each([
    ['Kyoto', 35.01, 135.77],
    ['between Komagane and Nirasaki (the Southern Alps)', 35.72, 138.2],
    ['Lake Biwa (lakes are part of the land)', 35.25, 136.08],
    ['Paris', 48.86, 2.35],
    ['Rovaniemi', 66.5, 25.73],
    ['Wrangel Island, east of the antimeridian', 71.23, -179.42],
    ['Wrangel Island, west of the antimeridian', 71.2, 179.5],
    ['inland Chukotka on both sides of 180°', 67.5, -179.5],
  ])('finds %s on land', (_, lat, lng) => {
    expect(land.isLand(lat, lng)).toBe(true);
    expect(isSea(land, lat, lng)).toBe(false);
  });

  it.each([
    ['the middle of the Pacific', 30, -150],
    ['the Tsugaru strait', 41.4, 140.6],
    ['the Seto Inland Sea', 34.1, 133.3],
    ['the Gulf of Finland', 59.8, 24.9],
    ['the Øresund', 55.65, 12.78],
    ['the Caspian Sea (a hole in the land)', 42, 50.5],
    ['the Chukchi Sea north of Wrangel Island', 72.5, 180],
  ])('finds %s at sea', (_, lat, lng) => {
    expect(land.isLand(lat, lng)).toBe(false);
    expect(isSea(land, lat, lng)).toBe(true);
  });

  it.each([
    ['the Bosphorus', 41.12, 29.07],
    ['the Kanmon strait', 33.96, 130.96],
  ])('counts %s, water narrower than 2 km, as off the land but not open sea', (_, lat, lng) => {
    expect(land.isLand(lat, lng)).toBe(false);
    expect(isSea(land, lat, lng)).toBe(false);
  });

  it('agrees with a brute-force count on 300 random points', () => {
    const next = random(7);
    const disagreements: [number, number][] = [];
    let onLand = 0;
    for (let i = 0; i < 300; i++) {
      const lat = -85 + next() * 168;
      const lng = -180 + next() * 360;
      const expected = onLandByBruteForce(lat, lng);
      if (expected) onLand++;
      if (land.isLand(lat, lng) !== expected) disagreements.push([lat, lng]);
    }
    expect(disagreements).toEqual([]);
    expect(onLand).toBeGreaterThan(50); // the sample really mixes land and sea
  });

  it('answers the same on both sides of the antimeridian, at every latitude', () => {
    const differ: number[] = [];
    for (let lat = -89.9; lat < 90; lat += 0.1) {
      if (land.isLand(lat, -179.9999) !== land.isLand(lat, 179.9999)) differ.push(lat);
    }
    expect(differ).toEqual([]);
  });

  it('puts 28–30 % of the globe on land, as Natural Earth does (29 % with lakes)', () => {
    const next = random(11);
    let onLand = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const lat = (Math.asin(2 * next() - 1) * 180) / Math.PI; // uniform over the sphere
      if (land.isLand(lat, -180 + 360 * next())) onLand++;
    }
    expect(onLand / n).toBeGreaterThan(0.28);
    expect(onLand / n).toBeLessThan(0.3);
  });

  it('reads a polygon across the antimeridian and one around the South Pole', () => {
    const mask = new LandMask([
      [
        [170, -10],
        [-170, -10],
        [-170, 10],
        [170, 10],
        [170, -10],
      ],
      [
        [-180, -70],
        [-90, -70],
        [0, -70],
        [90, -70],
        [180, -70],
      ],
    ]);
    expect([179, -179, 171, -171].map((lng) => mask.isLand(0, lng))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect([0, 160, -160].map((lng) => mask.isLand(0, lng))).toEqual([false, false, false]);
    expect([mask.isLand(-80, 0), mask.isLand(-80, 179.9), mask.isLand(-60, 0)]).toEqual([
      true,
      true,
      false,
    ]);
  });
});

describe('seaShare', () => {
  const komagane = [35.73, 137.93] as const;
  const nirasaki = [35.71, 138.45] as const;
  const aomori = [40.82, 140.74] as const;
  const hakodate = [41.77, 140.73] as const;
  const helsinki = [60.17, 24.94] as const;
  const tallinn = [59.44, 24.75] as const;

  it('is 0 for a link over land (Komagane → Nirasaki, across the Southern Alps)', () => {
    expect(share(komagane, nirasaki)).toBe(0);
  });

  it('is most of a strait crossing (Aomori → Hakodate, Helsinki → Tallinn)', () => {
    expect(share(aomori, hakodate)).toBeGreaterThan(0.5);
    expect(share(helsinki, tallinn)).toBeGreaterThan(0.8);
  });

  it('is the same both ways', () => {
    expect(share(hakodate, aomori)).toBe(share(aomori, hakodate));
  });
});
