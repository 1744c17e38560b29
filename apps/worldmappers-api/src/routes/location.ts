import { Router, type RequestHandler } from 'express';
import { invalidRequest, notFound } from '@repo/http';
import { UnknownCountryError } from '../world/geocoder.js';
import type { World } from '../world/world.js';
import { latLngParams, optionalTextParam, textParam } from './params.js';

/** `/location/geocode` and `/location/reverse-geocode`, each behind its scope. */
export function locationRoutes(
  world: World,
  requireScopes: (...scopes: string[]) => RequestHandler,
): Router {
  const router = Router();

  router.get('/location/geocode', requireScopes('geocode:location'), (req, res) => {
    const query = req.query as Record<string, unknown>;
    const address = textParam(query, 'address');
    const countryText = optionalTextParam(query, 'country');
    let country: string | undefined;
    try {
      country = countryText === undefined ? undefined : world.geocoder.country(countryText);
    } catch (error) {
      if (error instanceof UnknownCountryError) {
        throw invalidRequest(`"country" must be an ISO 3166-1 code or an English country name.`);
      }
      throw error;
    }
    const found = world.geocoder.geocode(address, country);
    if (found === undefined) throw notFound(`No place matches "${address}".`);
    res.json(world.geocoder.place(found));
  });

  router.get('/location/reverse-geocode', requireScopes('reverse-geocode:location'), (req, res) => {
    const { lat, lng } = latLngParams(req.query as Record<string, unknown>);
    const { index, distanceKm } = world.geocoder.reverse(lat, lng);
    res.json({ ...world.geocoder.place(index), distanceKm });
  });

  return router;
}
