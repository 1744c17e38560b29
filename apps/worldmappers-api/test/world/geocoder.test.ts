import { beforeAll, describe, expect, it } from 'vitest';
import { loadGazetteer, type Gazetteer } from '../../src/world/gazetteer.js';
import { Geocoder, UnknownCountryError } from '../../src/world/geocoder.js';
import { normalizeName } from '../../src/world/text.js';

let gazetteer: Gazetteer;
let geocoder: Geocoder;

// The whole shipped gazetteer, loaded once for the file: the answers are about real places.
beforeAll(() => {
  gazetteer = loadGazetteer();
  geocoder = new Geocoder(gazetteer);
});

const find = (address: string, country?: string) => {
  const i = geocoder.geocode(address, country);
  return i === undefined ? undefined : geocoder.place(i);
};

/** Every place whose name (or alternative name) normalizes to `name`, found without the index. */
const allNamed = (name: string) => {
  const key = normalizeName(name);
  const found: number[] = [];
  for (let i = 0; i < gazetteer.size; i++) {
    if (normalizeName(gazetteer.name[i]!) === key) found.push(i);
  }
  return found;
};

describe('Geocoder.geocode', () => {
  it('finds Kyoto whatever the case', () => {
    const kyoto = find('Kyoto');
    expect(kyoto).toEqual({
      name: 'Kyoto',
      country: 'JP',
      countryName: 'Japan',
      admin1Code: '22',
      lat: expect.closeTo(35.02, 1),
      lng: expect.closeTo(135.75, 1),
      population: expect.any(Number),
      geonameId: 1857910,
    });
    expect(find('kyoto')).toEqual(kyoto);
    expect(find('  KYOTO ')).toEqual(kyoto);
  });

  it('reads a country qualifier written as an ISO code or an English name', () => {
    const kyoto = geocoder.geocode('Kyoto');
    expect(geocoder.geocode('kyoto, jp')).toBe(kyoto);
    expect(geocoder.geocode('Kyoto, JP')).toBe(kyoto);
    expect(geocoder.geocode('Kyoto, Japan')).toBe(kyoto);
    expect(geocoder.geocode('Kyoto Japan')).toBe(kyoto);
  });

  it('ignores accents: Sao Paulo is São Paulo, Brazil', () => {
    expect(find('Sao Paulo')).toMatchObject({ name: 'São Paulo', country: 'BR' });
    expect(find('sao-paulo, Brazil')).toMatchObject({ name: 'São Paulo', country: 'BR' });
  });

  it('picks the most populous of the places with that name', () => {
    for (const name of ['Springfield', 'Paris', 'London', 'Santiago']) {
      const all = allNamed(name);
      expect(all.length).toBeGreaterThan(1);
      const most = Math.max(...all.map((i) => gazetteer.population[i]!));
      const found = geocoder.geocode(name);
      expect(found).toBeDefined();
      expect(gazetteer.population[found!]).toBe(most);
    }
  });

  it('narrows to one country with country=', () => {
    expect(find('Paris')).toMatchObject({ name: 'Paris', country: 'FR' });
    expect(find('Paris', 'US')).toMatchObject({ name: 'Paris', country: 'US' });
    expect(find('London', 'CA')).toMatchObject({ name: 'London', country: 'CA' });
    // The most populous of that country's places with the name.
    const us = allNamed('Paris').filter((i) => gazetteer.country[i] === 'US');
    const most = Math.max(...us.map((i) => gazetteer.population[i]!));
    expect(find('Paris', 'US')?.population).toBe(most);
  });

  it('narrows by a first-order administrative code', () => {
    expect(find('Springfield, IL')).toMatchObject({ country: 'US', admin1Code: 'IL' });
    expect(find('Springfield, IL, USA')).toMatchObject({ country: 'US', admin1Code: 'IL' });
  });

  it('finds nothing for an unknown place, or when the last qualifier matches nothing', () => {
    expect(geocoder.geocode('Qwxzzy')).toBeUndefined();
    expect(geocoder.geocode('')).toBeUndefined();
    expect(geocoder.geocode('Paris, Atlantis')).toBeUndefined();
    expect(geocoder.geocode('Kyoto', 'FR')).toBeUndefined();
  });

  it('finds nothing when only a country is given, rather than a place named like it', () => {
    expect(geocoder.geocode(', JP')).toBeUndefined();
    expect(geocoder.geocode(' , Japan')).toBeUndefined();
  });
});

describe('Geocoder.country', () => {
  it('resolves ISO codes, English names and common aliases', () => {
    expect(geocoder.country('jp')).toBe('JP');
    expect(geocoder.country('Japan')).toBe('JP');
    expect(geocoder.country('USA')).toBe('US');
    expect(geocoder.country('United Kingdom')).toBe('GB');
  });

  it('throws UnknownCountryError for a country that does not exist', () => {
    expect(() => geocoder.country('Atlantis')).toThrow(UnknownCountryError);
  });
});

describe('Geocoder.reverse', () => {
  it('finds Paris at 48.8566, 2.3522, with its distance', () => {
    const { index, distanceKm } = geocoder.reverse(48.8566, 2.3522);
    expect(geocoder.place(index)).toMatchObject({ name: 'Paris', country: 'FR' });
    expect(distanceKm).toBeLessThan(2);
  });

  it('finds a town even in the middle of the ocean, far away', () => {
    const { distanceKm } = geocoder.reverse(-48.876667, -123.393333); // Point Nemo
    expect(distanceKm).toBeGreaterThan(1000);
  });
});
