/**
 * Japanese names of places in Japan, over the whole shipped gazetteer and the build's derived
 * file (dist/world/japanese-names.json, written by `npm run build`): 60 names from the largest
 * cities to small towns, in kanji and kana, with and without suffixes and prefectures. The score
 * is printed; every name of the list must resolve to the right place.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGazetteer, type Gazetteer } from '../../src/world/gazetteer.js';
import { Geocoder } from '../../src/world/geocoder.js';
import { JapaneseNames, toHiragana } from '../../src/world/japanese-names.js';
import { normalizeName } from '../../src/world/text.js';

let gazetteer: Gazetteer;
let geocoder: Geocoder;

beforeAll(() => {
  gazetteer = loadGazetteer();
  geocoder = new Geocoder(gazetteer, JapaneseNames.load(gazetteer));
});

/** Japanese name → the GeoNames place it must find: its name and prefecture (admin1). */
const NAMES: [string, string, string][] = [
  ['東京', 'Tokyo', '40'],
  ['東京都', 'Tokyo', '40'],
  ['とうきょう', 'Tokyo', '40'],
  ['新宿区', 'Tokyo', '40'],
  ['横浜', 'Yokohama', '19'],
  ['横浜市', 'Yokohama', '19'],
  ['大阪', 'Osaka', '32'],
  ['おおさか', 'Osaka', '32'],
  ['名古屋', 'Nagoya', '01'],
  ['札幌', 'Sapporo', '12'],
  ['さっぽろ', 'Sapporo', '12'],
  ['福岡', 'Fukuoka', '07'],
  ['神戸', 'Kobe', '13'],
  ['京都', 'Kyoto', '22'],
  ['京都市', 'Kyoto', '22'],
  ['京都府京都市', 'Kyoto', '22'],
  ['京都, 京都府', 'Kyoto', '22'],
  ['キョウト', 'Kyoto', '22'],
  ['川崎', 'Kawasaki', '19'],
  ['さいたま', 'Saitama', '34'],
  ['広島', 'Hiroshima', '11'],
  ['仙台', 'Sendai', '24'],
  ['千葉', 'Chiba', '04'],
  ['北九州', 'Kitakyushu', '07'],
  ['堺', 'Sakai', '32'],
  ['新潟', 'Niigata', '29'],
  ['浜松', 'Hamamatsu', '37'],
  ['熊本', 'Kumamoto', '21'],
  ['相模原', 'Sagamihara', '19'],
  ['岡山', 'Okayama', '31'],
  ['静岡', 'Shizuoka', '37'],
  ['鹿児島', 'Kagoshima', '18'],
  ['金沢', 'Kanazawa', '15'],
  ['長崎', 'Nagasaki', '27'],
  ['函館', 'Hakodate', '12'],
  ['那覇', 'Naha', '47'],
  ['奈良', 'Nara', '28'],
  ['日本 奈良', 'Nara', '28'],
  ['松山', 'Matsuyama', '05'],
  ['高松', 'Takamatsu', '17'],
  ['富山', 'Toyama', '42'],
  ['盛岡', 'Morioka', '16'],
  ['青森', 'Aomori', '03'],
  ['秋田', 'Akita', '02'],
  ['山形', 'Yamagata', '44'],
  ['宇都宮', 'Utsunomiya', '38'],
  ['前橋', 'Maebashi', '10'],
  ['甲府', 'Kofu', '46'],
  ['長野', 'Nagano', '26'],
  ['岐阜', 'Gifu', '09'],
  ['津', 'Tsu', '23'],
  ['大津', 'Otsu', '35'],
  ['和歌山', 'Wakayama', '43'],
  ['鳥取', 'Tottori', '41'],
  ['松江', 'Matsue', '36'],
  ['徳島', 'Tokushima', '39'],
  ['高知', 'Kochi', '20'],
  ['佐賀', 'Saga', '33'],
  ['大分', 'Oita', '30'],
  ['宮崎', 'Miyazaki', '25'],
  ['鎌倉', 'Kamakura', '19'],
  ['蒲郡市', 'Gamagori', '01'],
  ['箱根町', 'Hakone', '19'],
  ['はこね', 'Hakone', '19'],
];

/** GeoNames' own suffixes dropped, so that "Nara-shi" is Nara. */
const plain = (name: string) => normalizeName(name).replace(/ (shi|ku)$/, '');

describe('Japanese names', () => {
  it(`finds all ${NAMES.length} names of the list`, () => {
    const wrong: string[] = [];
    for (const [japanese, name, admin1] of NAMES) {
      const i = geocoder.geocode(japanese);
      const found = i === undefined ? undefined : geocoder.place(i);
      if (!found || plain(found.name) !== plain(name) || found.admin1Code !== admin1) {
        wrong.push(`${japanese} → ${found ? `${found.name} (${found.admin1Code})` : 'nothing'}`);
      }
    }
    process.stdout.write(
      `[japanese names] ${NAMES.length - wrong.length} of ${NAMES.length} resolve to the right place\n`,
    );
    expect(wrong).toEqual([]);
  });

  it('names a municipality in Japanese, whichever way it was asked', () => {
    const kyoto = geocoder.place(geocoder.geocode('Kyoto')!);
    expect(kyoto).toMatchObject({ name: 'Kyoto', nameJa: '京都市' });
    expect(geocoder.place(geocoder.geocode('きょうと')!)).toEqual(kyoto);
    // Outside Japan there is no Japanese name.
    expect(geocoder.place(geocoder.geocode('Paris, FR')!).nameJa).toBeUndefined();
  });

  it('disambiguates a shared name by its prefecture', () => {
    const hiroshimas = geocoder.place(geocoder.geocode('府中, 広島県')!);
    expect(hiroshimas).toMatchObject({ admin1Code: '11', nameJa: '府中市' });
  });

  it('finds nothing for a Japanese name outside Japan, or no name at all', () => {
    expect(geocoder.geocode('京都', 'FR')).toBeUndefined();
    expect(geocoder.geocode('ここはどこでもない')).toBeUndefined();
    expect(geocoder.geocode('日本')).toBeUndefined();
  });

  it('reads katakana, half-width katakana and hiragana alike', () => {
    expect(toHiragana('ｷｮｳﾄ')).toBe('きょうと');
    expect(toHiragana('キョウト')).toBe('きょうと');
    expect(toHiragana('京都')).toBe('京都');
  });
});
