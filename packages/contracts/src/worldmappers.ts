import { z } from 'zod';

/**
 * A place as worldmappers-api answers `GET /api/location/geocode` and embeds it in directions: a
 * GeoNames populated place (© GeoNames, CC BY 4.0).
 */
export const placeSchema = z.strictObject({
  name: z.string().min(1),
  /** ISO 3166-1 alpha-2 code. */
  country: z.string().length(2),
  /** The country's English name. */
  countryName: z.string(),
  /** GeoNames first-order administrative division code ("22", "CA"), absent when unknown. */
  admin1Code: z.string().min(1).optional(),
  /** Decimal degrees, 5 decimals. */
  lat: z.number().min(-90).max(90),
  /** Decimal degrees, 5 decimals. */
  lng: z.number().min(-180).max(180),
  population: z.int().nonnegative(),
  /** The place's GeoNames id (https://www.geonames.org/<id>). */
  geonameId: z.int().positive(),
  /** For a municipality of Japan: its name as written in Japanese (京都市), from Japan Post's list. */
  nameJa: z.string().min(1).optional(),
});

/** A gazetteer place (the geocode answer). */
export type Place = z.infer<typeof placeSchema>;

/** The answer of `GET /api/location/reverse-geocode`: the nearest place and how far it is. */
export const reverseGeocodeSchema = placeSchema.extend({
  /** Great-circle distance from the asked point to the place, in km (1 decimal). */
  distanceKm: z.number().nonnegative(),
});

/** The nearest place to a point (the reverse-geocode answer). */
export type ReverseGeocode = z.infer<typeof reverseGeocodeSchema>;

/** How directions travel: by road (through towns, with ferries), or by sleigh (great circle). */
export const travelModeSchema = z.enum(['road', 'sleigh']);

/** `road` or `sleigh`. */
export type TravelMode = z.infer<typeof travelModeSchema>;

/** The travel modes, in the order the API lists them. */
export const TRAVEL_MODES = travelModeSchema.options;

/** One numbered step of directions ("Head north-east to Oulu"). */
export const directionsStepSchema = z.strictObject({
  /** 1-based position in the route. */
  step: z.int().positive(),
  action: z.string().min(1),
  distanceKm: z.number().nonnegative(),
  durationMinutes: z.number().nonnegative(),
  /** Present (true) on a ferry crossing. */
  ferry: z.literal(true).optional(),
});

/** A step of directions. */
export type DirectionsStep = z.infer<typeof directionsStepSchema>;

/**
 * A GeoJSON LineString of `[lng, lat]` positions (RFC 7946 §3.1.4).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7946#section-3.1.4
 */
export const lineStringSchema = z.strictObject({
  type: z.literal('LineString'),
  coordinates: z.array(z.tuple([z.number(), z.number()])),
});

/** A GeoJSON line. */
export type LineString = z.infer<typeof lineStringSchema>;

/** The answer of `GET /api/directions`: the two places, the totals, the steps and the line. */
export const directionsSchema = z.strictObject({
  mode: travelModeSchema,
  origin: placeSchema,
  destination: placeSchema,
  /** Length of the route in km (1 decimal); never shorter than `greatCircleKm`. */
  distanceKm: z.number().nonnegative(),
  durationMinutes: z.number().nonnegative(),
  /** The great-circle distance, for comparison. */
  greatCircleKm: z.number().nonnegative(),
  /** Empty when origin and destination are the same place. */
  steps: z.array(directionsStepSchema),
  geometry: lineStringSchema,
});

/** Directions between two places. */
export type Directions = z.infer<typeof directionsSchema>;
