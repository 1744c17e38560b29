import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GAZETTEER_FILE } from '../../src/world/gazetteer-file.js';
import { DEFAULT_NETWORK_FILE } from '../../src/world/network-file.js';
import { buildWorld } from '../../src/world/world.js';

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const sameBytes = (a: ArrayBufferView, b: ArrayBufferView) => bytes(a).equals(bytes(b));

describe('buildWorld', () => {
  it(
    'builds the network in memory, landmarks left to do, when the precomputed file is missing',
    {
      timeout: 60_000,
    },
    () => {
      const missing = join(tmpdir(), 'no-such-road-network.bin');
      const world = buildWorld({ networkFile: missing });
      expect(world.network).toEqual({ source: 'built', reason: `cannot read ${missing}: ENOENT` });
      expect(world.router.warm).toBe(false);
      expect(world.router.network.size).toBe(world.gazetteer.size);
    },
  );

  // The build writes the files (`npm run build`); turbo runs it before the tests.
  it.skipIf(!existsSync(DEFAULT_GAZETTEER_FILE) || !existsSync(DEFAULT_NETWORK_FILE))(
    'builds the gazetteer from the package when its file is missing, identical to the file',
    { timeout: 60_000 },
    () => {
      const missing = join(tmpdir(), 'no-such-gazetteer.bin');
      const built = buildWorld({ gazetteerFile: missing });
      expect(built.places).toEqual({ source: 'built', reason: `cannot read ${missing}: ENOENT` });
      // The network file checks the gazetteer's ids and coordinates: the built one passes.
      expect(built.network).toEqual({ source: 'file' });

      const stored = buildWorld();
      expect(stored.places).toEqual({ source: 'file' });
      const [a, b] = [stored.gazetteer, built.gazetteer];
      for (const key of [
        'geonameId',
        'lat',
        'lng',
        'population',
        'names',
        'countryOf',
        'admin1Of',
        'index',
        'keys',
        'keyStart',
        'postingStart',
        'postings',
      ] as const) {
        expect(sameBytes(a.columns[key], b.columns[key]), key).toBe(true);
      }
      expect(a.columns.countryCodes).toEqual(b.columns.countryCodes);
      expect(a.columns.admin1Codes).toEqual(b.columns.admin1Codes);
      expect(a.name).toEqual(b.name);
    },
  );

  it.skipIf(!existsSync(DEFAULT_NETWORK_FILE))(
    'loads the file the build precomputed, identical to what the code builds now',
    { timeout: 60_000 },
    () => {
      const stored = buildWorld();
      expect(stored.network).toEqual({ source: 'file' });
      expect(stored.router.warm).toBe(true);

      const fresh = buildWorld({ networkFile: false });
      fresh.router.prepareLandmarks();
      const [a, b] = [stored.router.network, fresh.router.network];
      // Byte for byte (a deep equality over millions of numbers would take minutes).
      for (const key of ['start', 'to', 'km', 'ferry', 'component', 'componentSize'] as const) {
        expect(sameBytes(a[key], b[key]), key).toBe(true);
      }
      const [la, lb] = [stored.router.exportLandmarks(), fresh.router.exportLandmarks()];
      expect(Array.from(la.nodes)).toEqual(Array.from(lb.nodes));
      la.distances.forEach((d, k) =>
        expect(sameBytes(d, lb.distances[k]!), `landmark ${k}`).toBe(true),
      );
    },
  );
});
