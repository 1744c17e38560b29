import { invalidRequest } from '@repo/http';

/** Longest place text accepted: longer is surely not a place name. */
export const MAX_TEXT = 200;

/** A required, trimmed text parameter of at most {@link MAX_TEXT} characters. */
export function textParam(query: Record<string, unknown>, name: string): string {
  const raw = query[name];
  if (raw === undefined) throw invalidRequest(`The "${name}" parameter is required.`);
  if (typeof raw !== 'string') throw invalidRequest(`Give "${name}" once, as text.`);
  const value = raw.trim();
  if (!value) throw invalidRequest(`The "${name}" parameter must not be empty.`);
  if (value.length > MAX_TEXT) {
    throw invalidRequest(`The "${name}" parameter must be at most ${MAX_TEXT} characters.`);
  }
  return value;
}

/** An optional text parameter (same rules when present). */
export function optionalTextParam(
  query: Record<string, unknown>,
  name: string,
): string | undefined {
  return query[name] === undefined ? undefined : textParam(query, name);
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** A decimal degree within ±`limit`. */
export function coordinate(value: string, name: string, limit: number): number {
  const trimmed = value.trim();
  const number = NUMBER.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isFinite(number))
    throw invalidRequest(`"${name}" must be a decimal number of degrees.`);
  if (Math.abs(number) > limit)
    throw invalidRequest(`"${name}" must be between -${limit} and ${limit}.`);
  return number;
}

/** `lat` and `lng` query parameters. */
export function latLngParams(query: Record<string, unknown>): { lat: number; lng: number } {
  return {
    lat: coordinate(textParam(query, 'lat'), 'lat', 90),
    lng: coordinate(textParam(query, 'lng'), 'lng', 180),
  };
}

const LAT_LNG = /^\s*([^,\s]+)\s*,\s*([^,\s]+)\s*$/;

/** "35.68,139.69" → coordinates; undefined when the text is not two numbers. */
export function parseLatLng(text: string, name: string): { lat: number; lng: number } | undefined {
  const match = LAT_LNG.exec(text);
  if (!match || !NUMBER.test(match[1]!) || !NUMBER.test(match[2]!)) return undefined;
  return {
    lat: coordinate(match[1]!, `${name} latitude`, 90),
    lng: coordinate(match[2]!, `${name} longitude`, 180),
  };
}
