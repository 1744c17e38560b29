import type { Delivery, Route } from '../store/delivery-store.js';
import { PlanningError, type WorldmappersClient } from './worldmappers-client.js';

/** Lines longer than this are not stored: the steps already tell the story. */
export const MAX_STORED_POINTS = 500;

/** Plans one delivery; throws {@link PlanningError} when it cannot. */
export type Planner = (delivery: Delivery) => Promise<Route>;

/**
 * Geocodes the destination (an unknown place fails here, before any routing), then asks for road
 * directions from the origin, and for the sleigh's great-circle route when there is no road
 * (`422 no_route`, e.g. across an ocean).
 */
export function createPlanner(worldmappers: WorldmappersClient): Planner {
  return async (delivery) => {
    const place = await worldmappers.geocode(delivery.destination);
    const destination =
      place.lat !== undefined && place.lng !== undefined
        ? `${place.lat},${place.lng}`
        : delivery.destination;
    let directions;
    try {
      directions = await worldmappers.directions(delivery.origin, destination, 'road');
    } catch (error) {
      if (!(error instanceof PlanningError) || error.code !== 'no_route') throw error;
      directions = await worldmappers.directions(delivery.origin, destination, 'sleigh');
    }
    const route: Route = {
      mode: directions.mode,
      from: directions.from,
      to: place,
      distanceKm: directions.distanceKm,
      durationMinutes: directions.durationMinutes,
      steps: directions.steps,
    };
    if (directions.geometry && directions.geometry.coordinates.length <= MAX_STORED_POINTS) {
      route.geometry = directions.geometry;
    }
    return route;
  };
}
