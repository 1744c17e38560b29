import { DirectionsService } from './directions.js';
import { loadGazetteer, type Gazetteer } from './gazetteer.js';
import { DEFAULT_GAZETTEER_FILE, GazetteerFileError, readGazetteerFile } from './gazetteer-file.js';
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
  network: Source;
  /** Where the gazetteer came from: the build's file, or built from the package (`reason`: why). */
  places: Source;
  /**
   * Milliseconds spent, by phase (`gazetteerMs`, `roadsMs`: reading the file, or building;
   * `namesMs`: the Japanese names).
   */
  timings: { gazetteerMs: number; roadsMs: number; namesMs: number };
}

export interface Source {
  source: 'file' | 'built';
  reason?: string;
}

export interface WorldOptions {
  /** The precomputed network to use; `false` builds it in memory. Default: the build's file. */
  networkFile?: string | false;
  /** The precomputed gazetteer to use; `false` builds it from the package. Default: the build's. */
  gazetteerFile?: string | false;
}

/**
 * Loads the gazetteer and the road network with its landmarks from the files the build
 * precomputed (tens of ms). An unusable gazetteer file is replaced by building the gazetteer from
 * the package (about 1 s of CPU); an unusable network file by building the network here (about
 * 2 s), by the same code the build runs, the landmarks then left to `router.warmUp()` or
 * `router.prepareLandmarks()`.
 */
export function buildWorld({
  networkFile = DEFAULT_NETWORK_FILE,
  gazetteerFile = DEFAULT_GAZETTEER_FILE,
}: WorldOptions = {}): World {
  const t0 = performance.now();
  let gazetteer: Gazetteer;
  let places: Source;
  try {
    if (gazetteerFile === false) throw new GazetteerFileError('not asked to read a file');
    gazetteer = readGazetteerFile(gazetteerFile);
    places = { source: 'file' };
  } catch (error) {
    if (!(error instanceof GazetteerFileError)) throw error;
    gazetteer = loadGazetteer();
    places = { source: 'built', reason: error.message };
  }
  const t1 = performance.now();
  let router: Router;
  let network: Source;
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
  const t3 = performance.now();
  return {
    gazetteer,
    geocoder,
    router,
    directions: new DirectionsService(geocoder, router),
    network,
    places,
    timings: {
      gazetteerMs: Math.round(t1 - t0),
      roadsMs: Math.round(t2 - t1),
      namesMs: Math.round(t3 - t2),
    },
  };
}
