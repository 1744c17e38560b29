import { normalizeName } from './text.js';

// Made on first use, not when the module loads: ICU's region names cost tens of ms of CPU, which
// a server then pays after it listens (Geocoder.warmUp) instead of before.
let displayNames: Intl.DisplayNames | undefined;
const regionName = (code: string) =>
  (displayNames ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' })).of(code);

/** Names people write that differ from the CLDR English short name. */
const ALIASES: Record<string, string> = {
  usa: 'US',
  'united states of america': 'US',
  america: 'US',
  uk: 'GB',
  'great britain': 'GB',
  britain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  russia: 'RU',
  'russian federation': 'RU',
  'south korea': 'KR',
  korea: 'KR',
  'north korea': 'KP',
  'czech republic': 'CZ',
  czechia: 'CZ',
  holland: 'NL',
  'the netherlands': 'NL',
  burma: 'MM',
  myanmar: 'MM',
  'ivory coast': 'CI',
  'cote d ivoire': 'CI',
  'democratic republic of the congo': 'CD',
  'dr congo': 'CD',
  'republic of the congo': 'CG',
  congo: 'CG',
  uae: 'AE',
  turkey: 'TR',
  turkiye: 'TR',
  vatican: 'VA',
  'hong kong': 'HK',
  macau: 'MO',
  macao: 'MO',
  'east timor': 'TL',
  swaziland: 'SZ',
  'cape verde': 'CV',
};

/** The English name of an ISO 3166-1 alpha-2 code (CLDR, via `Intl.DisplayNames`). */
export function countryName(code: string): string {
  return regionName(code) ?? code;
}

/** Resolves country text ("jp", "Japan", "USA") to ISO 3166-1 alpha-2 codes known in the data. */
export class CountryResolver {
  private readonly byName = new Map<string, string>();

  constructor(readonly codes: ReadonlySet<string>) {
    for (const code of codes) {
      this.byName.set(code.toLowerCase(), code);
      const name = regionName(code);
      if (!name) continue;
      this.byName.set(normalizeName(name), code);
      // "Congo - Kinshasa", "Myanmar (Burma)": also accept the part before the qualifier.
      const short = name.split(/ - | \(/)[0];
      if (short && short !== name && !this.byName.has(normalizeName(short))) {
        this.byName.set(normalizeName(short), code);
      }
    }
    for (const [alias, code] of Object.entries(ALIASES)) {
      if (codes.has(code)) this.byName.set(normalizeName(alias), code);
    }
  }

  /** The ISO code for `text`, or undefined when it names no country of the gazetteer. */
  resolve(text: string): string | undefined {
    return this.byName.get(normalizeName(text));
  }
}
