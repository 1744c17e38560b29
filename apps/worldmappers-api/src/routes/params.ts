import { z } from '@repo/config';
import { TRAVEL_MODES } from '@repo/contracts';
import { invalidRequest } from '@repo/http';

/** Longest place text accepted: longer is surely not a place name. */
const MAX_TEXT = 200;

const DECIMAL = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)`;
const NUMBER = new RegExp(`^${DECIMAL}$`);
const LAT_LNG = new RegExp(String.raw`^(${DECIMAL})\s*,\s*(${DECIMAL})$`);

/** A required, trimmed text parameter of at most {@link MAX_TEXT} characters. */
function textParam(name: string) {
  return z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? `The "${name}" parameter is required.`
          : `Give "${name}" once, as text.`,
    })
    .trim()
    .min(1, `The "${name}" parameter must not be empty.`)
    .max(MAX_TEXT, `The "${name}" parameter must be at most ${MAX_TEXT} characters.`);
}

/** A decimal number of degrees within ±`limit` (no exponents, no `Infinity`). */
function degrees(name: string, limit: number) {
  const range = `"${name}" must be between -${limit} and ${limit}.`;
  return z
    .string()
    .regex(NUMBER, `"${name}" must be a decimal number of degrees.`)
    .transform(Number)
    .pipe(z.number().min(-limit, range).max(limit, range));
}

/** A point, or the place text to geocode. */
export type PlaceParam = { lat: number; lng: number } | { text: string };

/** Place text or `lat,lng` ("35.68,139.69"); two numbers are coordinates and must be in range. */
function placeParam(name: string) {
  const point = z.tuple([degrees(`${name} latitude`, 90), degrees(`${name} longitude`, 180)]);
  return textParam(name).transform((text, ctx): PlaceParam => {
    const match = LAT_LNG.exec(text);
    if (!match) return { text };
    const parsed = point.safeParse([match[1], match[2]]);
    if (parsed.success) return { lat: parsed.data[0], lng: parsed.data[1] };
    for (const { message } of parsed.error.issues)
      ctx.issues.push({ code: 'custom', message, input: text });
    return z.NEVER;
  });
}

/** `GET /api/location/geocode?address=&country=`. */
export const geocodeQuery = z.object({
  address: textParam('address'),
  country: textParam('country').optional(),
});

/** `GET /api/location/reverse-geocode?lat=&lng=`. */
export const reverseGeocodeQuery = z.object({
  lat: textParam('lat').pipe(degrees('lat', 90)),
  lng: textParam('lng').pipe(degrees('lng', 180)),
});

/** `GET /api/directions?origin=&destination=&mode=`. */
export const directionsQuery = z.object({
  origin: placeParam('origin'),
  destination: placeParam('destination'),
  mode: textParam('mode')
    .pipe(z.enum(TRAVEL_MODES, { error: `"mode" must be one of: ${TRAVEL_MODES.join(', ')}.` }))
    .default('road'),
});

/**
 * Parses a query string; the first problem becomes the 400 `invalid_request` answer, in the
 * order the schema lists the parameters.
 */
export function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.output<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw invalidRequest(parsed.error.issues[0]!.message);
  return parsed.data;
}
