import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
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

  // The build writes the file (`npm run build`); turbo runs it before the tests.
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
