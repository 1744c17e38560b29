import { closeSync, fstatSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/**
 * A file of named typed arrays behind a small JSON header, read back with one read per array
 * into an `ArrayBuffer` of its own (aligned, and usable as is by libraries that want a whole
 * buffer, such as `KDBush.from`):
 *
 *   magic (8 bytes) · format version (u32 LE) · header length (u32 LE) · header JSON ·
 *   padding to 8 · each array's bytes, padded to 8.
 *
 * The header holds the caller's `meta`, the sections' names, kinds and lengths, and a CRC-32 of
 * the arrays' bytes, so a truncated or damaged copy is refused rather than half used.
 */
export type SectionArray = Int32Array | Uint32Array | Uint16Array | Uint8Array | Float64Array;

const KINDS = {
  i32: Int32Array,
  u32: Uint32Array,
  u16: Uint16Array,
  u8: Uint8Array,
  f64: Float64Array,
} as const;
type Kind = keyof typeof KINDS;

interface SectionEntry {
  name: string;
  kind: Kind;
  length: number;
}

interface Header<Meta> {
  meta: Meta;
  crc32: number;
  sections: SectionEntry[];
}

/** What is wrong with a section file; the message says it in a few words. */
export class SectionFileError extends Error {
  override readonly name = 'SectionFileError';
}

export interface SectionFormat {
  /** Exactly 8 ASCII characters that open every file of this format. */
  magic: string;
  /** A file of another version is refused. */
  version: number;
}

const PREFIX_BYTES = 16;
const ALIGN = 8;
const pad = (n: number) => (ALIGN - (n % ALIGN)) % ALIGN;
const bytesOf = (a: SectionArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function kindOf(array: SectionArray): Kind {
  for (const [kind, type] of Object.entries(KINDS)) {
    if (array instanceof type) return kind as Kind;
  }
  throw new TypeError(`unsupported array type ${array.constructor.name}`);
}

/**
 * Writes `sections` in the given order with `meta` in the header, atomically (a temporary file
 * renamed into place), so a reader never sees half a file.
 *
 * @returns the file's size in bytes.
 */
export function writeSectionFile(
  path: string,
  format: SectionFormat,
  meta: unknown,
  sections: Readonly<Record<string, SectionArray>>,
): number {
  if (Buffer.byteLength(format.magic, 'latin1') !== 8) throw new TypeError('magic must be 8 bytes');
  const entries = Object.entries(sections);
  let crc = 0;
  for (const [, array] of entries) crc = crc32(bytesOf(array), crc);
  const header: Header<unknown> = {
    meta,
    crc32: crc,
    sections: entries.map(([name, array]) => ({ name, kind: kindOf(array), length: array.length })),
  };
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.write(format.magic, 0, 'latin1');
  prefix.writeUInt32LE(format.version, 8);
  prefix.writeUInt32LE(json.length, 12);
  const parts: Uint8Array[] = [prefix, json, new Uint8Array(pad(PREFIX_BYTES + json.length))];
  for (const [, array] of entries) {
    parts.push(bytesOf(array), new Uint8Array(pad(array.byteLength)));
  }
  const file = Buffer.concat(parts);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, file);
  renameSync(temporary, path);
  return file.length;
}

/** The arrays of a file read by {@link readSectionFile}, by name and expected type. */
export class Sections {
  constructor(private readonly arrays: ReadonlyMap<string, SectionArray>) {}

  /** @throws {SectionFileError} when the file has no such section of this type. */
  get<T extends SectionArray>(name: string, type: new (length: number) => T): T {
    const array = this.arrays.get(name);
    if (!(array instanceof type)) throw new SectionFileError(`section ${name} missing`);
    return array;
  }
}

/**
 * Reads a file written by {@link writeSectionFile}. `accept` sees the header's `meta` before any
 * array is read, and throws to refuse the file (stale, built for something else).
 *
 * @throws {SectionFileError} when the file is missing, of another format or version, truncated,
 *   padded or damaged; whatever `accept` throws.
 */
export function readSectionFile<Meta>(
  path: string,
  format: SectionFormat,
  accept: (meta: Meta) => void,
): { meta: Meta; sections: Sections } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new SectionFileError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code}`);
  }
  try {
    const fileBytes = fstatSync(fd).size;
    const read = (target: Uint8Array, position: number) => {
      if (readSync(fd, target, 0, target.length, position) !== target.length) {
        throw new SectionFileError(`truncated: ${fileBytes} bytes`);
      }
    };
    const prefix = Buffer.alloc(PREFIX_BYTES);
    if (fileBytes < PREFIX_BYTES) throw new SectionFileError(`not a ${format.magic.trim()} file`);
    read(prefix, 0);
    if (prefix.toString('latin1', 0, 8) !== format.magic) {
      throw new SectionFileError(`not a ${format.magic.trim()} file`);
    }
    const version = prefix.readUInt32LE(8);
    if (version !== format.version) {
      throw new SectionFileError(`format version ${version}, expected ${format.version}`);
    }
    const jsonBytes = Buffer.alloc(prefix.readUInt32LE(12));
    read(jsonBytes, PREFIX_BYTES);
    let header: Header<Meta>;
    try {
      header = JSON.parse(jsonBytes.toString('utf8')) as Header<Meta>;
    } catch {
      throw new SectionFileError('unreadable header');
    }
    if (!Array.isArray(header?.sections)) throw new SectionFileError('unreadable header');
    accept(header.meta);

    let position = PREFIX_BYTES + jsonBytes.length + pad(PREFIX_BYTES + jsonBytes.length);
    const expectedBytes = header.sections.reduce((end, { kind, length }) => {
      const bytes = length * (KINDS[kind]?.BYTES_PER_ELEMENT ?? NaN);
      return end + bytes + pad(bytes);
    }, position);
    if (fileBytes !== expectedBytes) {
      throw new SectionFileError(
        `truncated or padded: ${fileBytes} bytes, expected ${expectedBytes}`,
      );
    }
    const arrays = new Map<string, SectionArray>();
    let crc = 0;
    for (const { name, kind, length } of header.sections) {
      const type = KINDS[kind];
      // A buffer of its own, not zero-filled first: every byte is read into it.
      const bytes = Buffer.allocUnsafeSlow(length * type.BYTES_PER_ELEMENT);
      read(bytes, position);
      const array = new type(bytes.buffer, bytes.byteOffset, length);
      crc = crc32(bytes, crc);
      arrays.set(name, array);
      position += bytes.length + pad(bytes.length);
    }
    if (crc !== header.crc32) throw new SectionFileError('checksum mismatch (damaged file)');
    return { meta: header.meta, sections: new Sections(arrays) };
  } finally {
    closeSync(fd);
  }
}
