import { beforeAll, describe, expect, it } from 'vitest';
import { distanceKm } from '../../src/world/geo.js';
import { DEFAULT_ROAD_OPTIONS } from '../../src/world/road-network.js';
import { LandMask, seaShare } from '../../src/world/water.js';
import { buildWorld, type World } from '../../src/world/world.js';

let world: World;

// The real network: the build's precomputed file when there is one, else built here.
beforeAll(() => {
  world = buildWorld();
  if (!world.router.warm) world.router.prepareLandmarks();
});

const steps = (origin: string, destination: string) => {
  const s = world.geocoder.geocode(origin);
  const t = world.geocoder.geocode(destination);
  if (s === undefined || t === undefined)
    throw new Error(`unknown place in ${origin} → ${destination}`);
  return world.directions.directions(s, t, 'road').steps;
};

describe('ferries in directions', () => {
  it.each([
    ['Kyoto', 'Tokyo'],
    ['Osaka', 'Nagano'],
    ['Nagoya', 'Toyama'],
    ['Sendai', 'Akita'],
    ['Paris', 'Munich'],
    ['Munich', 'Vienna'],
    ['Hamburg', 'Zurich'],
    ['Madrid', 'Barcelona'],
    ['Berlin', 'Warsaw'],
  ])('are never proposed inland: %s → %s', (origin, destination) => {
    const route = steps(origin, destination);
    expect(route.length).toBeGreaterThan(1);
    expect(route.filter((step) => step.ferry)).toEqual([]);
    expect(route.map((step) => step.action).filter((a) => a.includes('ferry'))).toEqual([]);
  });

  it.each([
    ['Aomori', 'Hakodate', 'the Tsugaru strait'],
    ['Okayama', 'Takamatsu', 'the Seto Inland Sea, Honshu to Shikoku'],
    ['Hiroshima', 'Matsuyama', 'the Seto Inland Sea, Hiroshima to Shikoku'],
    ['Copenhagen', 'Malmö', 'the Øresund'],
    ['Dover', 'Calais', 'the Strait of Dover'],
    ['Helsinki', 'Tallinn', 'the Gulf of Finland'],
  ])('are proposed across the sea: %s → %s (%s)', (origin, destination) => {
    const ferries = steps(origin, destination).filter((step) => step.ferry);
    expect(ferries.length).toBeGreaterThan(0);
    for (const step of ferries) expect(step.action).toMatch(/^Take the ferry [a-z-]+ to \S/);
  });
});

describe('the network', () => {
  it('has a ferry on exactly the links over enough open sea', { timeout: 60_000 }, () => {
    const land = LandMask.naturalEarth();
    const { lat, lng } = world.gazetteer;
    const { start, to, ferry } = world.router.network;
    const { ferryMinSeaKm, ferryMinSeaShare } = DEFAULT_ROAD_OPTIONS;
    const wrong: string[] = [];
    let ferries = 0;
    for (let u = 0; u < world.gazetteer.size; u++) {
      for (let e = start[u]!; e < start[u + 1]!; e++) {
        const v = to[e]!;
        if (v < u) continue;
        const km = distanceKm(lat[u]!, lng[u]!, lat[v]!, lng[v]!);
        const sea = seaShare(land, lat[u]!, lng[u]!, lat[v]!, lng[v]!, km);
        const expected = sea >= ferryMinSeaShare && sea * km >= ferryMinSeaKm;
        if (ferry[e] === 1) ferries++;
        if ((ferry[e] === 1) !== expected) wrong.push(`${u}–${v}`);
      }
    }
    expect(wrong).toEqual([]);
    // About 2 % of the 625 000 links (14 022 when this was written).
    expect(ferries).toBeGreaterThan(10_000);
    expect(ferries).toBeLessThan(20_000);
  });
});
