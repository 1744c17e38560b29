import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Gazetteer } from '../../src/world/gazetteer.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The countries module loaded afresh, with Intl.DisplayNames watched from before it loads. */
async function freshCountries() {
  vi.resetModules();
  const Real = Intl.DisplayNames;
  // A constructor returning the real instance, so the names still come from ICU.
  const made = vi.spyOn(Intl, 'DisplayNames').mockImplementation(function (
    ...args: ConstructorParameters<typeof Real>
  ) {
    return new Real(...args);
  } as unknown as typeof Real);
  const countries = await import('../../src/world/countries.js');
  return { made, ...countries };
}

describe('country names (Intl.DisplayNames)', () => {
  it('are not made when the module loads, only on first use, and once', async () => {
    const { made, countryName } = await freshCountries();
    expect(made).not.toHaveBeenCalled();
    expect(countryName('JP')).toBe('Japan');
    expect(countryName('FI')).toBe('Finland');
    expect(made).toHaveBeenCalledTimes(1);
  });

  it('are made by a Geocoder on its first country lookup, not when it is built', async () => {
    const { made, CountryResolver } = await freshCountries();
    const { Geocoder } = await import('../../src/world/geocoder.js');
    // Only what the resolver reads: the country codes the gazetteer holds.
    const gazetteer = { countries: new Set(['JP', 'FI']) } as unknown as Gazetteer;
    const geocoder = new Geocoder(gazetteer);
    expect(made).not.toHaveBeenCalled();
    expect(geocoder.countries).toBeInstanceOf(CountryResolver);
    expect(geocoder.country('Japan')).toBe('JP');
    expect(geocoder.countries).toBe(geocoder.countries);
    expect(made).toHaveBeenCalledTimes(1);
  });
});
