import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import type { Gazetteer } from './gazetteer.js';
import type { RoadNetwork, RoadNetworkOptions } from './road-network.js';
import type { Landmarks, RouterOptions } from './router.js';

/**
 * Bump whenever `buildRoadNetwork` or the landmark selection changes what they compute, or the
 * layout below changes: a file written by other code is then refused and rebuilt in memory.
 */
export const NETWORK_FORMAT_VERSION = 2;

/**
 * Where the build (`node dist/world/precompute.js`) writes the network and the server reads it.
 * Resolved from this module, which sits two levels below the app in `src/world` and `dist/world`
 * alike, so `tsx`, vitest and the compiled server find the same file.
 */
export const DEFAULT_NETWORK_FILE = fileURLToPath(
  new URL('../../dist/world/road-network.bin', import.meta.url),
);

const MAGIC = 'WMROADS\n';
/** Magic (8 bytes), format version (u32), header JSON length (u32). */
const PREFIX_BYTES = 16;
const ALIGN = 8;

type ArrayKind = 'i32' | 'f64' | 'f32' | 'u8';
type TypedArray = Int32Array | Float64Array | Float32Array | Uint8Array;
const VIEW = { i32: Int32Array, f64: Float64Array, f32: Float32Array, u8: Uint8Array } as const;

interface Section {
  name: string;
  kind: ArrayKind;
  offset: number;
  length: number;
}

interface Header {
  version: number;
  /** What the network was built from and with: all must match to use it. */
  gazetteer: { size: number; sha256: string };
  options: { road: RoadNetworkOptions; router: RouterOptions };
  linkCount: number;
  landmarks: number;
  /** CRC-32 of everything after the header, to catch a truncated or damaged copy. */
  crc32: number;
  sections: Section[];
}

/** The network and landmarks read from a file, ready for `new Router(g, network, options, landmarks)`. */
export interface StoredNetwork {
  network: RoadNetwork;
  landmarks: Landmarks;
}

/** Why a network file was not used (missing, stale or damaged); the caller rebuilds in memory. */
export class NetworkFileError extends Error {
  override readonly name = 'NetworkFileError';
}

/**
 * A fingerprint of the gazetteer fields the network depends on (order, ids and coordinates), so a
 * file built from another version of the data is never used.
 */
export function gazetteerFingerprint(g: Gazetteer): { size: number; sha256: string } {
  const hash = createHash('sha256');
  for (const column of [g.geonameId, g.lat, g.lng]) {
    hash.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  return { size: g.size, sha256: hash.digest('hex') };
}

const bytesOf = (a: TypedArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const pad = (n: number) => (ALIGN - (n % ALIGN)) % ALIGN;

/**
 * Writes the network and its landmarks as typed-array sections behind a JSON header, atomically
 * (a temporary file renamed into place), so a server never reads half a file.
 */
export function writeNetworkFile(
  path: string,
  g: Gazetteer,
  network: RoadNetwork,
  routerOptions: RouterOptions,
  landmarks: Landmarks,
): number {
  const arrays: [string, ArrayKind, TypedArray][] = [
    ['start', 'i32', network.start],
    ['to', 'i32', network.to],
    ['km', 'f64', network.km],
    ['ferry', 'u8', network.ferry],
    ['component', 'i32', network.component],
    ['componentSize', 'i32', network.componentSize],
    ['landmarkNodes', 'i32', landmarks.nodes],
    ...landmarks.distances.map((d, k): [string, ArrayKind, TypedArray] => [
      `landmark${k}`,
      'f32',
      d,
    ]),
  ];
  const sections: Section[] = [];
  let offset = 0;
  for (const [name, kind, array] of arrays) {
    sections.push({ name, kind, offset, length: array.length });
    offset += array.byteLength + pad(array.byteLength);
  }
  const body = new Uint8Array(offset);
  arrays.forEach(([, , array], i) => body.set(bytesOf(array), sections[i]!.offset));

  const header: Header = {
    version: NETWORK_FORMAT_VERSION,
    gazetteer: gazetteerFingerprint(g),
    options: { road: network.options, router: routerOptions },
    linkCount: network.linkCount,
    landmarks: landmarks.nodes.length,
    crc32: crc32(body),
    sections,
  };
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(NETWORK_FORMAT_VERSION, 8);
  prefix.writeUInt32LE(json.length, 12);
  const headerPad = Buffer.alloc(pad(PREFIX_BYTES + json.length));
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, Buffer.concat([prefix, json, headerPad, body]));
  renameSync(temporary, path);
  return PREFIX_BYTES + json.length + headerPad.length + body.length;
}

/**
 * Reads a network file written by {@link writeNetworkFile} for this gazetteer and these options.
 * The arrays are views on the file's bytes: nothing is copied or rebuilt.
 *
 * @throws {NetworkFileError} when the file is missing, of another format version, built from
 *   another gazetteer or with other options, or damaged; the message says which.
 */
export function readNetworkFile(
  path: string,
  g: Gazetteer,
  roadOptions: RoadNetworkOptions,
  routerOptions: RouterOptions,
): StoredNetwork {
  try {
    return read(path, g, roadOptions, routerOptions);
  } catch (error) {
    // Whatever is wrong with the file, the server must still start: the caller rebuilds.
    if (error instanceof NetworkFileError) throw error;
    throw new NetworkFileError(`damaged: ${(error as Error).message}`);
  }
}

function read(
  path: string,
  g: Gazetteer,
  roadOptions: RoadNetworkOptions,
  routerOptions: RouterOptions,
): StoredNetwork {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (error) {
    throw new NetworkFileError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code}`);
  }
  if (file.length < PREFIX_BYTES || file.toString('latin1', 0, 8) !== MAGIC) {
    throw new NetworkFileError('not a road network file');
  }
  const version = file.readUInt32LE(8);
  if (version !== NETWORK_FORMAT_VERSION) {
    throw new NetworkFileError(`format version ${version}, expected ${NETWORK_FORMAT_VERSION}`);
  }
  const jsonLength = file.readUInt32LE(12);
  let header: Header;
  try {
    header = JSON.parse(file.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + jsonLength)) as Header;
  } catch {
    throw new NetworkFileError('unreadable header');
  }
  const expected = gazetteerFingerprint(g);
  if (header.gazetteer?.size !== expected.size || header.gazetteer.sha256 !== expected.sha256) {
    throw new NetworkFileError(
      `built from another gazetteer (${header.gazetteer?.size} places, ${g.size} loaded)`,
    );
  }
  if (
    JSON.stringify(header.options) !== JSON.stringify({ road: roadOptions, router: routerOptions })
  ) {
    throw new NetworkFileError('built with other network or landmark options');
  }

  const bodyStart = PREFIX_BYTES + jsonLength + pad(PREFIX_BYTES + jsonLength);
  // Typed-array views need aligned offsets; a large readFileSync buffer starts at 0, but be sure.
  const aligned =
    file.byteOffset % ALIGN === 0 ? file : Buffer.from(new Uint8Array(file).buffer, 0, file.length);
  const body = new Uint8Array(
    aligned.buffer,
    aligned.byteOffset + bodyStart,
    file.length - bodyStart,
  );
  const last = header.sections.at(-1);
  const bodyLength = last ? last.offset + last.length * VIEW[last.kind].BYTES_PER_ELEMENT : 0;
  if (body.length !== bodyLength + pad(bodyLength)) {
    throw new NetworkFileError(
      `truncated or padded: ${body.length} bytes of body, expected ${bodyLength + pad(bodyLength)}`,
    );
  }
  if (crc32(body) !== header.crc32) throw new NetworkFileError('checksum mismatch (damaged file)');

  const views = new Map<string, TypedArray>();
  for (const { name, kind, offset, length } of header.sections) {
    const end = offset + length * VIEW[kind].BYTES_PER_ELEMENT;
    if (offset % ALIGN !== 0 || end > body.length) {
      throw new NetworkFileError(`section ${name} out of bounds`);
    }
    views.set(name, new VIEW[kind](body.buffer as ArrayBuffer, body.byteOffset + offset, length));
  }
  const section = <T extends TypedArray>(name: string, type: new (...args: never[]) => T): T => {
    const view = views.get(name);
    if (!(view instanceof type)) throw new NetworkFileError(`section ${name} missing`);
    return view;
  };
  const n = g.size;
  const start = section('start', Int32Array);
  const to = section('to', Int32Array);
  const network: RoadNetwork = {
    options: roadOptions,
    size: n,
    start,
    to,
    km: section('km', Float64Array),
    ferry: section('ferry', Uint8Array),
    component: section('component', Int32Array),
    componentSize: section('componentSize', Int32Array),
    linkCount: header.linkCount,
  };
  if (
    start.length !== n + 1 ||
    start[n] !== to.length ||
    network.km.length !== to.length ||
    network.ferry.length !== to.length ||
    network.component.length !== n ||
    to.length !== 2 * header.linkCount
  ) {
    throw new NetworkFileError('sections do not fit the gazetteer');
  }
  const nodes = section('landmarkNodes', Int32Array);
  const distances = Array.from(nodes, (_, k) => section(`landmark${k}`, Float32Array));
  if (distances.some((d) => d.length !== n)) {
    throw new NetworkFileError('landmark tables do not fit the gazetteer');
  }
  return { network, landmarks: { nodes, distances } };
}
