import type { Place } from '@repo/contracts';
import { around } from 'geokdbush';
import { CountryResolver, countryName } from './countries.js';
import type { Gazetteer } from './gazetteer.js';
import { distanceKm, round1, round5 } from './geo.js';
import { isJapanese, type JapaneseNames } from './japanese-names.js';
import { normalizeName } from './text.js';

/** Why a geocode found nothing, for the 404's description. */
export class UnknownCountryError extends Error {
  override readonly name = 'UnknownCountryError';
}

/** Forward and reverse geocoding over the gazetteer; pure, no I/O. */
export class Geocoder {
  #countries: CountryResolver | undefined;

  constructor(
    readonly gazetteer: Gazetteer,
    /** Japanese names of the places of Japan (the build's derived file), when there are. */
    private readonly japanese?: JapaneseNames,
  ) {}

  /** Country names to codes, built on first use or by {@link warmUp}, not before listening. */
  get countries(): CountryResolver {
    return (this.#countries ??= new CountryResolver(this.gazetteer.countries));
  }

  /**
   * Does now what loading left to the first request: decodes the gazetteer's names and codes,
   * builds the Japanese lookup keys and the country names (tens of ms of CPU). The server calls
   * it once it listens.
   */
  warmUp(): void {
    const g = this.gazetteer;
    if (g.name.length + g.country.length + g.admin1.length !== 3 * g.size) {
      throw new Error('gazetteer columns of different lengths');
    }
    this.japanese?.prepare();
    void this.countries;
  }

  place(i: number): Place {
    const g = this.gazetteer;
    const admin1 = g.admin1[i];
    const nameJa = g.country[i] === 'JP' ? this.japanese?.nameOf(g.geonameId[i]!) : undefined;
    return {
      name: g.name[i]!,
      country: g.country[i]!,
      countryName: countryName(g.country[i]!),
      ...(admin1 && admin1 !== '00' ? { admin1Code: admin1 } : {}),
      lat: round5(g.lat[i]!),
      lng: round5(g.lng[i]!),
      population: g.population[i]!,
      geonameId: g.geonameId[i]!,
      ...(nameJa ? { nameJa } : {}),
    };
  }

  /** Resolves country text to an ISO code; throws {@link UnknownCountryError} if it is none. */
  country(text: string): string {
    const code = this.countries.resolve(text);
    if (!code) throw new UnknownCountryError(`Unknown country "${text}".`);
    return code;
  }

  /**
   * The most populous place matching `address`: "Kyoto", "kyoto, jp", "Kyoto, Japan",
   * "Springfield, IL, USA", "Sao Paulo" (accents and case do not matter); in Japanese, a
   * municipality of Japan ("京都", "きょうと", "京都府京都市"). Qualifiers after commas
   * are countries (ISO code or English name) or first-order admin codes; the last one must
   * match, so "Paris, Texas" finds nothing rather than the wrong Paris. `country` (an ISO code)
   * narrows further.
   *
   * @returns the place index, or undefined when nothing matches.
   */
  geocode(address: string, country?: string): number | undefined {
    // 京都, きょうと, 京都府京都市, 府中 東京都: the Japanese names of Japan's municipalities.
    if (isJapanese(address)) {
      return country && country !== 'JP' ? undefined : this.japanese?.lookup(address);
    }
    const parts = address.split(',').map((p) => p.trim());
    // ", JP" names no place: the qualifier must not be taken for one.
    let name = parts[0] ?? '';
    if (name === '') return undefined;
    let qualifiers = parts.slice(1).filter(Boolean);
    let candidates = this.gazetteer.byName.get(normalizeName(name));
    if (!candidates && qualifiers.length === 0) {
      // "Sao Paulo Brazil": a trailing country written without a comma.
      const words = name.split(/\s+/);
      for (let k = 1; k < words.length && k <= 4 && !candidates; k++) {
        const tail = words.slice(-k).join(' ');
        if (!this.countries.resolve(tail)) continue;
        const head = words.slice(0, -k).join(' ');
        const found = this.gazetteer.byName.get(normalizeName(head));
        if (found) [name, candidates, qualifiers] = [head, found, [tail]];
      }
    }
    if (!candidates) return undefined;

    const filters: ((i: number) => boolean)[] = [];
    if (country) filters.push((i) => this.gazetteer.country[i] === country);
    qualifiers.forEach((text, k) => {
      const code = this.countries.resolve(text);
      const admin = text.toUpperCase();
      const byAdmin = (i: number) => this.gazetteer.admin1[i]?.toUpperCase() === admin;
      const byCountry = (i: number) => this.gazetteer.country[i] === code;
      const matchesAdmin = candidates.some(byAdmin);
      if (code && matchesAdmin) filters.push((i) => byCountry(i) || byAdmin(i));
      else if (code) filters.push(byCountry);
      else if (matchesAdmin) filters.push(byAdmin);
      else if (k === qualifiers.length - 1) filters.push(() => false);
    });
    // Candidates are sorted by population: the first that passes every filter is the answer.
    return candidates.find((i) => filters.every((f) => f(i)));
  }

  /** The nearest place to a point and its great-circle distance in km. */
  reverse(lat: number, lng: number): { index: number; distanceKm: number } {
    const [index] = around(this.gazetteer.index, lng, lat, 1);
    if (index === undefined) throw new Error('empty gazetteer');
    const g = this.gazetteer;
    return { index, distanceKm: round1(distanceKm(lat, lng, g.lat[index]!, g.lng[index]!)) };
  }
}
