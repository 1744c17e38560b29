/** Mean Earth radius in km (IUGG), the one geokdbush uses too. */
export const EARTH_RADIUS_KM = 6371;
const RAD = Math.PI / 180;

/** Great-circle distance in km (haversine). */
export function distanceKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLng = (lng2 - lng1) * RAD;
  const a =
    Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Initial bearing from the first point to the second, degrees clockwise from north, 0–360. */
export function bearingDeg(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const φ1 = lat1 * RAD;
  const φ2 = lat2 * RAD;
  const dλ = (lng2 - lng1) * RAD;
  const y = Math.sin(dλ) * Math.cos(φ2);
  const x = Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(dλ);
  return (((Math.atan2(y, x) / RAD) % 360) + 360) % 360;
}

const COMPASS = [
  'north',
  'north-east',
  'east',
  'south-east',
  'south',
  'south-west',
  'west',
  'north-west',
] as const;

/** The 8-point compass word for a bearing ("north-east"). */
export function compass(bearing: number): (typeof COMPASS)[number] {
  return COMPASS[Math.round(bearing / 45) % 8]!;
}

/**
 * The point a fraction `f` (0–1) of the way along the great circle between two places
 * (spherical linear interpolation), as a GeoJSON `[lng, lat]` pair.
 */
export function greatCircleSampler(
  lat1: number,
  lng1: number,
  lat2: number,
  lng2: number,
): (f: number) => [number, number] {
  const φ1 = lat1 * RAD;
  const λ1 = lng1 * RAD;
  const φ2 = lat2 * RAD;
  const λ2 = lng2 * RAD;
  const d = distanceKm(lat1, lng1, lat2, lng2) / EARTH_RADIUS_KM;
  if (d === 0) return () => [lng1, lat1];
  return (f) => {
    const a = Math.sin((1 - f) * d) / Math.sin(d);
    const b = Math.sin(f * d) / Math.sin(d);
    const x = a * Math.cos(φ1) * Math.cos(λ1) + b * Math.cos(φ2) * Math.cos(λ2);
    const y = a * Math.cos(φ1) * Math.sin(λ1) + b * Math.cos(φ2) * Math.sin(λ2);
    const z = a * Math.sin(φ1) + b * Math.sin(φ2);
    return [Math.atan2(y, x) / RAD, Math.atan2(z, Math.sqrt(x * x + y * y)) / RAD];
  };
}

/**
 * Points along the great circle between two places, as GeoJSON `[lng, lat]` pairs, first and
 * last included.
 */
export function greatCirclePoints(
  lat1: number,
  lng1: number,
  lat2: number,
  lng2: number,
  segments: number,
): [number, number][] {
  const at = greatCircleSampler(lat1, lng1, lat2, lng2);
  const points: [number, number][] = [];
  for (let i = 0; i <= segments; i++) {
    const [lng, lat] = at(i / segments);
    points.push([round5(lng), round5(lat)]);
  }
  return points;
}

/** 5 decimals of a degree is about a metre: plenty for a gazetteer. */
export const round5 = (value: number) => Math.round(value * 1e5) / 1e5;
/** Rounds km or minutes to one decimal for answers. */
export const round1 = (value: number) => Math.round(value * 10) / 10;
