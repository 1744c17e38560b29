import { Router, type RequestHandler } from 'express';
import type { Directions } from '@repo/contracts';
import { HttpError, notFound } from '@repo/http';
import { NoRouteError } from '../world/directions.js';
import type { World } from '../world/world.js';
import { directionsQuery, parseQuery, type PlaceParam } from './params.js';

/** A place text or a point → a gazetteer place (coordinates snap to the nearest town). */
function resolve(world: World, place: PlaceParam, name: string): number {
  if (!('text' in place)) return world.geocoder.reverse(place.lat, place.lng).index;
  const found = world.geocoder.geocode(place.text);
  if (found === undefined) throw notFound(`No place matches ${name} "${place.text}".`);
  return found;
}

/** `/directions`, behind the `directions` scope. */
export function directionsRoutes(
  world: World,
  requireScopes: (...scopes: string[]) => RequestHandler,
): Router {
  const router = Router();
  router.get('/directions', requireScopes('directions'), (req, res) => {
    const query = parseQuery(directionsQuery, req.query);
    const origin = resolve(world, query.origin, 'origin');
    const destination = resolve(world, query.destination, 'destination');
    let answer: Directions;
    try {
      answer = world.directions.directions(origin, destination, query.mode);
    } catch (error) {
      if (error instanceof NoRouteError) throw new HttpError(422, 'no_route', error.message);
      throw error;
    }
    res.json(answer);
  });
  return router;
}
