import { Router, type RequestHandler } from 'express';
import { HttpError, invalidRequest, notFound } from '@repo/http';
import { MODES, NoRouteError, type Mode } from '../world/directions.js';
import type { World } from '../world/world.js';
import { optionalTextParam, parseLatLng, textParam } from './params.js';

/** A place text or `lat,lng` → a gazetteer place (coordinates snap to the nearest town). */
function resolve(world: World, text: string, name: string): number {
  const point = parseLatLng(text, name);
  if (point) return world.geocoder.reverse(point.lat, point.lng).index;
  const found = world.geocoder.geocode(text);
  if (found === undefined) throw notFound(`No place matches ${name} "${text}".`);
  return found;
}

/** `/directions`, behind the `directions` scope. */
export function directionsRoutes(
  world: World,
  requireScopes: (...scopes: string[]) => RequestHandler,
): Router {
  const router = Router();
  router.get('/directions', requireScopes('directions'), (req, res) => {
    const query = req.query as Record<string, unknown>;
    const originText = textParam(query, 'origin');
    const destinationText = textParam(query, 'destination');
    const mode = (optionalTextParam(query, 'mode') ?? 'road') as Mode;
    if (!MODES.includes(mode)) throw invalidRequest(`"mode" must be one of: ${MODES.join(', ')}.`);
    const origin = resolve(world, originText, 'origin');
    const destination = resolve(world, destinationText, 'destination');
    try {
      res.json(world.directions.directions(origin, destination, mode));
    } catch (error) {
      if (error instanceof NoRouteError) throw new HttpError(422, 'no_route', error.message);
      throw error;
    }
  });
  return router;
}
