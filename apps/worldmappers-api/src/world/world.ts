import { DirectionsService } from './directions.js';
import { loadGazetteer, type Gazetteer } from './gazetteer.js';
import { Geocoder } from './geocoder.js';
import { loadJapaneseNames } from './japanese-names.js';
import { DEFAULT_NETWORK_FILE, NetworkFileError, readNetworkFile } from './network-file.js';
import { buildRoadNetwork, DEFAULT_ROAD_OPTIONS } from './road-network.js';
import { DEFAULT_ROUTER_OPTIONS, Router } from './router.js';

/** Everything the API answers from, built once at start-up from the shipped gazetteer. */
export interface World {
  gazetteer: Gazetteer;
  geocoder: Geocoder;
  router: Router;
  directions: DirectionsService;
  /**
   * Where the road network came from: the file precomputed by the build (landmarks included), or
   * built in memory because the file was missing, stale or damaged (`reason` says which);
   * landmarks then still need {@link Router.warmUp}.
   */
  network: { source: 'file' | 'built'; reason?: string };
  /** Milliseconds spent, by phase (`roadsMs`: reading the file, or building the network). */
  timings: { gazetteerMs: number; roadsMs: number };
}

export interface WorldOptions {
  /** The precomputed network to use; `false` builds it in memory. Default: the build's file. */
  networkFile?: string | false;
}

/**
 * Loads the gazetteer (about 0.7 s of CPU) and the road network with its landmarks from the file
 * the build precomputed (tens of ms). If that file is unusable the network is built here (about
 * 2 s) by the same code the build runs, and the landmarks are left to `router.warmUp()` or
 * `router.prepareLandmarks()`.
 */
export function buildWorld({ networkFile = DEFAULT_NETWORK_FILE }: WorldOptions = {}): World {
  const t0 = performance.now();
  const gazetteer = loadGazetteer();
  const t1 = performance.now();
  let router: Router;
  let network: World['network'];
  try {
    if (networkFile === false) throw new NetworkFileError('not asked to read a file');
    const stored = readNetworkFile(
      networkFile,
      gazetteer,
      DEFAULT_ROAD_OPTIONS,
      DEFAULT_ROUTER_OPTIONS,
    );
    router = new Router(gazetteer, stored.network, DEFAULT_ROUTER_OPTIONS, stored.landmarks);
    network = { source: 'file' };
  } catch (error) {
    if (!(error instanceof NetworkFileError)) throw error;
    router = new Router(
      gazetteer,
      buildRoadNetwork(gazetteer, DEFAULT_ROAD_OPTIONS),
      DEFAULT_ROUTER_OPTIONS,
    );
    network = { source: 'built', reason: error.message };
  }
  const t2 = performance.now();
  const geocoder = new Geocoder(gazetteer, loadJapaneseNames(gazetteer));
  return {
    gazetteer,
    geocoder,
    router,
    directions: new DirectionsService(geocoder, router),
    network,
    timings: { gazetteerMs: Math.round(t1 - t0), roadsMs: Math.round(t2 - t1) },
  };
}
