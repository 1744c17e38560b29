import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

/**
 * A private signing key as stored: an RSA private JWK (RFC 7517) plus when it was created and,
 * once a newer key has taken over, when it stopped signing.
 */
export interface StoredKey extends JWK {
  kty: 'RSA';
  kid: string;
  alg: 'RS256';
  use: 'sig';
  /** Epoch seconds. */
  created_at: number;
  /** Epoch seconds; absent while the key signs. */
  retired_at?: number;
}

/** The key file: a private JWKS. The first key that is not retired signs; the others verify. */
export interface KeyFile {
  keys: StoredKey[];
}

/** The key file is missing, unreadable or not a private RSA JWKS. */
export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
}

/** Seconds a retired key stays published after its last token expired: resource servers' clock skew. */
export const RETIREMENT_LEEWAY_SECONDS = 60;

const RSA_PRIVATE_MEMBERS = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A fresh RS256 key; its `kid` is its RFC 7638 thumbprint. */
export async function generateSigningKey(now = nowSeconds()): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kty: 'RSA', kid, alg: 'RS256', use: 'sig', created_at: now };
}

function checkKey(value: unknown, index: number, path: string): StoredKey {
  const where = `${path}: keys[${index}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KeyFileError(`${where} is not a JWK object`);
  }
  const key = value as Record<string, unknown>;
  if (key.kty !== 'RSA') throw new KeyFileError(`${where} is not an RSA key (kty must be "RSA")`);
  for (const member of RSA_PRIVATE_MEMBERS) {
    if (typeof key[member] !== 'string' || key[member] === '') {
      throw new KeyFileError(`${where} lacks the private RSA member "${member}"`);
    }
  }
  if (typeof key.kid !== 'string' || key.kid === '') {
    throw new KeyFileError(`${where} has no "kid"`);
  }
  if (key.alg !== undefined && key.alg !== 'RS256') {
    throw new KeyFileError(`${where} has alg "${String(key.alg)}"; only RS256 is supported`);
  }
  if (key.use !== undefined && key.use !== 'sig') {
    throw new KeyFileError(`${where} has use "${String(key.use)}"; signing keys need "sig"`);
  }
  for (const time of ['created_at', 'retired_at'] as const) {
    if (key[time] !== undefined && !Number.isSafeInteger(key[time])) {
      throw new KeyFileError(`${where}.${time} must be epoch seconds`);
    }
  }
  return {
    ...(key as JWK),
    kty: 'RSA',
    kid: key.kid,
    alg: 'RS256',
    use: 'sig',
    created_at: (key.created_at as number | undefined) ?? 0,
    ...(key.retired_at === undefined ? {} : { retired_at: key.retired_at as number }),
  };
}

/** Parses and checks a key file's text. */
export function parseKeyFile(text: string, path: string): KeyFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KeyFileError(`${path} is not valid JSON`);
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) {
    throw new KeyFileError(`${path} is not a JWKS: expected {"keys": [...]}`);
  }
  const checked = keys.map((key, index) => checkKey(key, index, path));
  if (!checked.some((key) => key.retired_at === undefined)) {
    throw new KeyFileError(`${path} has no active key: every key is retired`);
  }
  const kids = new Set<string>();
  for (const key of checked) {
    if (kids.has(key.kid)) throw new KeyFileError(`${path} has two keys with kid "${key.kid}"`);
    kids.add(key.kid);
  }
  return { keys: checked };
}

/** Reads a key file, or `undefined` when there is none. */
export async function readKeyFile(path: string): Promise<KeyFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KeyFileError(`${path} cannot be read: ${(error as Error).message}`);
  }
  return parseKeyFile(text, path);
}

/**
 * Writes the key file readable by its owner only, atomically (temporary file + rename), so that a
 * running server never reads half a file.
 */
export async function writeKeyFile(path: string, file: KeyFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}

/** Whether a retired key may be dropped: every token it signed has expired, plus some leeway. */
export function isExpiredKey(key: StoredKey, maxTokenLifetimeSeconds: number, now: number) {
  return (
    key.retired_at !== undefined &&
    key.retired_at + maxTokenLifetimeSeconds + RETIREMENT_LEEWAY_SECONDS <= now
  );
}

export interface RotationResult {
  file: KeyFile;
  newKid: string;
  retiredKids: string[];
  prunedKids: string[];
}

/**
 * Rotation: a new key signs from now on; the keys it replaces are marked retired and stay
 * published until their tokens expired; keys retired longer ago than that are dropped.
 */
export async function rotateKeys(
  current: KeyFile | undefined,
  maxTokenLifetimeSeconds: number,
  now = nowSeconds(),
): Promise<RotationResult> {
  const fresh = await generateSigningKey(now);
  const retiredKids: string[] = [];
  const prunedKids: string[] = [];
  const kept: StoredKey[] = [];
  for (const key of current?.keys ?? []) {
    if (key.retired_at === undefined) {
      retiredKids.push(key.kid);
      kept.push({ ...key, retired_at: now });
    } else if (isExpiredKey(key, maxTokenLifetimeSeconds, now)) {
      prunedKids.push(key.kid);
    } else {
      kept.push(key);
    }
  }
  return { file: { keys: [fresh, ...kept] }, newKid: fresh.kid, retiredKids, prunedKids };
}
