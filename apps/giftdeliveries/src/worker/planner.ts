import type { Place } from '@repo/contracts';
import type { Delivery, Route, RoutePlace } from '../domain.js';
import { PlanningError, type WorldmappersClient } from './worldmappers-client.js';

/** Lines longer than this are not stored: the steps already tell the story. */
export const MAX_STORED_POINTS = 500;

/** Plans one delivery; throws {@link PlanningError} when it cannot. */
export type Planner = (delivery: Delivery) => Promise<Route>;

const routePlace = ({ name, country, lat, lng }: Place): RoutePlace => ({
  name,
  country,
  lat,
  lng,
});

/**
 * Geocodes the destination (an unknown place fails here, before any routing), then asks for road
 * directions from the origin to its coordinates, and for the sleigh's great-circle route when
 * there is no road (`422 no_route`, e.g. across an ocean).
 */
export function createPlanner(worldmappers: WorldmappersClient): Planner {
  return async (delivery) => {
    const place = await worldmappers.geocode(delivery.destination);
    const destination = `${place.lat},${place.lng}`;
    let directions;
    try {
      directions = await worldmappers.directions(delivery.origin, destination, 'road');
    } catch (error) {
      if (!(error instanceof PlanningError) || error.code !== 'no_route') throw error;
      directions = await worldmappers.directions(delivery.origin, destination, 'sleigh');
    }
    const route: Route = {
      mode: directions.mode,
      from: routePlace(directions.origin),
      to: routePlace(place),
      distanceKm: directions.distanceKm,
      durationMinutes: directions.durationMinutes,
      steps: directions.steps.map(({ action, distanceKm, durationMinutes }) => ({
        action,
        distanceKm,
        durationMinutes,
      })),
    };
    if (directions.geometry.coordinates.length <= MAX_STORED_POINTS) {
      route.geometry = directions.geometry;
    }
    return route;
  };
}
