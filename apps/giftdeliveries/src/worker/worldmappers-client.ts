import axios, { type AxiosInstance } from 'axios';
import { TokenEndpointUnavailableError, TokenRequestError } from '@repo/token-client';
import type { Route, RoutePlace, RouteStep } from '../store/delivery-store.js';

/**
 * Why planning a delivery stopped. `permanent` failures (an unknown place, a request the API
 * calls malformed) mark the delivery failed; the others keep it pending for a later attempt.
 */
export class PlanningError extends Error {
  override readonly name = 'PlanningError';
  constructor(
    /** The kind of trouble, which callers reading the delivery may see ("no access token"). */
    readonly summary: string,
    readonly permanent: boolean,
    /** The API's error code, when it gave one (`not_found`, `no_route`). */
    readonly code?: string,
    /** What only this service's log should say (which variable to fix, internal addresses). */
    detail?: string,
  ) {
    super(detail ? `${summary}: ${detail}` : summary);
  }
}

/** worldmappers-api's directions, in the shape the store keeps them. */
export type Directions = Route;

type Json = Record<string, unknown>;

const numberOf = (...values: unknown[]) => {
  for (const value of values) {
    const n = typeof value === 'string' ? Number(value) : value;
    if (typeof n === 'number' && Number.isFinite(n)) return n;
  }
  return undefined;
};
const textOf = (...values: unknown[]) => values.find((v): v is string => typeof v === 'string');

/** A place from the API, read generously (the fields that matter: name, country, lat, lng). */
export function placeOf(value: unknown, fallbackName = 'unknown'): RoutePlace {
  const data = (value && typeof value === 'object' ? value : {}) as Json;
  const location = (data.location ?? data.coordinates ?? {}) as Json;
  const place: RoutePlace = { name: textOf(data.name, data.label) ?? fallbackName };
  const country = textOf(data.country, data.countryCode, data.country_code);
  if (country) place.country = country;
  const lat = numberOf(data.lat, data.latitude, location.lat, location.latitude);
  const lng = numberOf(data.lng, data.lon, data.longitude, location.lng, location.lon);
  if (lat !== undefined) place.lat = lat;
  if (lng !== undefined) place.lng = lng;
  return place;
}

/** The GeoJSON line of a directions answer, wherever the API put it. */
function lineOf(data: Json): Directions['geometry'] {
  for (const candidate of [data.geometry, data.line, data.route, data.geojson]) {
    const geo = candidate as Json | undefined;
    const inner = (geo?.type === 'Feature' ? geo.geometry : geo) as Json | undefined;
    if (inner?.type === 'LineString' && Array.isArray(inner.coordinates)) {
      return { type: 'LineString', coordinates: inner.coordinates as number[][] };
    }
  }
  return undefined;
}

function describeApiError(status: number, data: unknown): { code?: string; text: string } {
  const body = (data && typeof data === 'object' ? data : {}) as Json;
  const code = textOf(body.error);
  const description = textOf(body.error_description, body.message);
  return {
    code,
    text: `HTTP ${status}${code ? ` ${code}` : ''}${description ? `: ${description}` : ''}`,
  };
}

/**
 * Turns anything thrown while calling worldmappers-api into a {@link PlanningError}: only what
 * retrying cannot fix is permanent (404 `not_found`, 400 `invalid_request`).
 */
export function classify(error: unknown, what: string): PlanningError {
  if (error instanceof PlanningError) return error;
  if (error instanceof TokenRequestError) {
    // A configuration problem: fixable without losing the delivery, so it stays pending.
    return new PlanningError('no access token', false, error.code, error.message);
  }
  if (error instanceof TokenEndpointUnavailableError) {
    return new PlanningError('authorization server unavailable', false, undefined, error.message);
  }
  if (axios.isAxiosError(error)) {
    if (!error.response) {
      return new PlanningError(
        `worldmappers-api unreachable during ${what} (${error.code ?? error.message})`,
        false,
      );
    }
    const { status, data } = error.response;
    const { code, text } = describeApiError(status, data);
    const permanent = status === 404 || status === 400 || status === 422;
    return new PlanningError(`${what} refused`, permanent, code, text);
  }
  return new PlanningError(
    `${what} failed`,
    false,
    undefined,
    (error as Error)?.message ?? String(error),
  );
}

/** The two worldmappers-api calls planning needs, over an axios instance that adds the token. */
export class WorldmappersClient {
  constructor(private readonly http: AxiosInstance) {}

  /** `GET /api/location/geocode?address=` → the most likely place. */
  async geocode(address: string): Promise<RoutePlace> {
    try {
      const res = await this.http.get('/api/location/geocode', { params: { address } });
      const data = res.data as Json;
      return placeOf(data.place ?? data.result ?? data, address);
    } catch (error) {
      throw classify(error, `geocoding "${address}"`);
    }
  }

  /** `GET /api/directions?origin=&destination=&mode=`. */
  async directions(
    origin: string,
    destination: string,
    mode: 'road' | 'sleigh',
  ): Promise<Directions> {
    try {
      const res = await this.http.get('/api/directions', {
        params: { origin, destination, mode },
      });
      const data = res.data as Json;
      const rawSteps = Array.isArray(data.steps) ? (data.steps as Json[]) : [];
      const steps: RouteStep[] = rawSteps.map((step) => {
        const out: RouteStep = {
          action: textOf(step.action, step.instruction, step.text) ?? 'Continue',
        };
        const km = numberOf(step.distanceKm);
        const minutes = numberOf(step.durationMinutes);
        if (km !== undefined) out.distanceKm = km;
        if (minutes !== undefined) out.durationMinutes = minutes;
        return out;
      });
      const distanceKm = numberOf(data.distanceKm, (data.summary as Json | undefined)?.distanceKm);
      const durationMinutes = numberOf(
        data.durationMinutes,
        (data.summary as Json | undefined)?.durationMinutes,
      );
      if (distanceKm === undefined) {
        throw new PlanningError('directions answer has no distanceKm', false);
      }
      const directions: Directions = {
        mode: data.mode === 'sleigh' || data.mode === 'road' ? data.mode : mode,
        from: placeOf(data.origin, origin),
        to: placeOf(data.destination, destination),
        distanceKm,
        durationMinutes: durationMinutes ?? 0,
        steps,
      };
      const line = lineOf(data);
      if (line) directions.geometry = line;
      return directions;
    } catch (error) {
      throw classify(error, `directions ${mode} from "${origin}" to "${destination}"`);
    }
  }
}
