import { Router, type RequestHandler } from 'express';
import type { Place, ReverseGeocode } from '@repo/contracts';
import { invalidRequest, notFound } from '@repo/http';
import { UnknownCountryError } from '../world/geocoder.js';
import type { World } from '../world/world.js';
import { geocodeQuery, parseQuery, reverseGeocodeQuery } from './params.js';

/** `/location/geocode` and `/location/reverse-geocode`, each behind its scope. */
export function locationRoutes(
  world: World,
  requireScopes: (...scopes: string[]) => RequestHandler,
): Router {
  const router = Router();

  router.get('/location/geocode', requireScopes('geocode:location'), (req, res) => {
    const query = parseQuery(geocodeQuery, req.query);
    let country: string | undefined;
    try {
      country = query.country === undefined ? undefined : world.geocoder.country(query.country);
    } catch (error) {
      if (error instanceof UnknownCountryError) {
        throw invalidRequest(`"country" must be an ISO 3166-1 code or an English country name.`);
      }
      throw error;
    }
    const found = world.geocoder.geocode(query.address, country);
    if (found === undefined) throw notFound(`No place matches "${query.address}".`);
    const answer: Place = world.geocoder.place(found);
    res.json(answer);
  });

  router.get('/location/reverse-geocode', requireScopes('reverse-geocode:location'), (req, res) => {
    const { lat, lng } = parseQuery(reverseGeocodeQuery, req.query);
    const { index, distanceKm } = world.geocoder.reverse(lat, lng);
    const answer: ReverseGeocode = { ...world.geocoder.place(index), distanceKm };
    res.json(answer);
  });

  return router;
}
