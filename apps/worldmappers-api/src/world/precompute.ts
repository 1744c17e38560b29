/**
 * Build step (`npm run build` runs it after tsc): builds the gazetteer, the road network and its
 * landmarks once, with exactly the code the server falls back to, and stores them in
 * `dist/world/gazetteer.bin` and `dist/world/road-network.bin` so the server starts by reading
 * typed arrays instead of spending seconds of CPU.
 *
 * Usage: `node dist/world/precompute.js [network file] [gazetteer file]`.
 */
import { DEFAULT_GAZETTEER_FILE, installedSource, writeGazetteerFile } from './gazetteer-file.js';
import { DEFAULT_NETWORK_FILE, writeNetworkFile } from './network-file.js';
import { DEFAULT_ROUTER_OPTIONS } from './router.js';
import { buildWorld } from './world.js';

const file = process.argv[2] ?? DEFAULT_NETWORK_FILE;
const gazetteerFile = process.argv[3] ?? DEFAULT_GAZETTEER_FILE;
const t0 = performance.now();
const world = buildWorld({ networkFile: false, gazetteerFile: false });
const placeBytes = writeGazetteerFile(gazetteerFile, world.gazetteer, installedSource());
process.stdout.write(
  `gazetteer: ${world.gazetteer.size} places, ${world.gazetteer.byName.size} names → ` +
    `${gazetteerFile} (${(placeBytes / 1e6).toFixed(1)} MB)\n`,
);
world.router.prepareLandmarks();
const bytes = writeNetworkFile(
  file,
  world.gazetteer,
  world.router.network,
  DEFAULT_ROUTER_OPTIONS,
  world.router.exportLandmarks(),
);
process.stdout.write(
  `road network: ${world.gazetteer.size} places, ${world.router.network.linkCount} links, ` +
    `${world.router.landmarks.length} landmarks → ${file} (${(bytes / 1e6).toFixed(1)} MB) ` +
    `in ${Math.round(performance.now() - t0)} ms\n`,
);
