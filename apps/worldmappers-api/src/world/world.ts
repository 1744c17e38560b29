import { DirectionsService } from './directions.js';
import { loadGazetteer, type Gazetteer } from './gazetteer.js';
import { Geocoder } from './geocoder.js';
import { buildRoadNetwork } from './road-network.js';
import { Router } from './router.js';

/** Everything the API answers from, built once at start-up from the shipped gazetteer. */
export interface World {
  gazetteer: Gazetteer;
  geocoder: Geocoder;
  router: Router;
  directions: DirectionsService;
  /** Milliseconds spent building it, by phase. */
  timings: { gazetteerMs: number; roadsMs: number };
}

/**
 * Loads the gazetteer and builds the road network (about 2 s). Landmarks for fast routing are
 * computed afterwards by `world.router.warmUp()` or `prepareLandmarks()`.
 */
export function buildWorld(): World {
  const t0 = performance.now();
  const gazetteer = loadGazetteer();
  const t1 = performance.now();
  const network = buildRoadNetwork(gazetteer);
  const t2 = performance.now();
  const geocoder = new Geocoder(gazetteer);
  const router = new Router(gazetteer, network);
  return {
    gazetteer,
    geocoder,
    router,
    directions: new DirectionsService(geocoder, router),
    timings: { gazetteerMs: Math.round(t1 - t0), roadsMs: Math.round(t2 - t1) },
  };
}
