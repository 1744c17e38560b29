import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { z } from '@repo/config';

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

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A fresh RS256 key; its `kid` is its RFC 7638 thumbprint. */
export async function generateSigningKey(now = nowSeconds()): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kty: 'RSA', kid, alg: 'RS256', use: 'sig', created_at: now };
}

const RSA_PRIVATE_MEMBERS = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;

const epochSeconds = (name: string) =>
  z.int({ error: `has ${name} that is not epoch seconds` }).optional();

/**
 * A private RSA signing JWK (RFC 7517 §4, RFC 7518 §6.3.2). Each message completes "keys[0] …";
 * other members pass through untouched.
 */
const storedKeySchema = z.looseObject(
  {
    kty: z.literal('RSA', { error: 'is not an RSA key (kty must be "RSA")' }),
    ...Object.fromEntries(
      RSA_PRIVATE_MEMBERS.map((member) => [
        member,
        z.string({ error: `lacks the private RSA member "${member}"` }).min(1, {
          error: `lacks the private RSA member "${member}"`,
        }),
      ]),
    ),
    kid: z.string({ error: 'has no "kid"' }).min(1, { error: 'has no "kid"' }),
    alg: z
      .literal('RS256', {
        error: (issue) => `has alg "${String(issue.input)}"; only RS256 is supported`,
      })
      .default('RS256'),
    use: z
      .literal('sig', {
        error: (issue) => `has use "${String(issue.input)}"; signing keys need "sig"`,
      })
      .default('sig'),
    created_at: epochSeconds('created_at').default(0),
    retired_at: epochSeconds('retired_at'),
  },
  { error: 'is not a JWK object' },
);

/** A private JWKS: at least one active key, no two with one kid. */
const keyFileSchema = z
  .object({ keys: z.array(storedKeySchema) })
  .refine((file) => file.keys.some((key) => key.retired_at === undefined), {
    error: 'has no active key: every key is retired',
  })
  .superRefine((file, ctx) => {
    const kids = new Set<string>();
    for (const key of file.keys) {
      if (kids.has(key.kid))
        ctx.addIssue({ code: 'custom', message: `has two keys with kid "${key.kid}"` });
      kids.add(key.kid);
    }
  });

/** Parses and checks a key file's text; the first problem names the file and the key. */
export function parseKeyFile(text: string, path: string): KeyFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KeyFileError(`${path} is not valid JSON`);
  }
  const result = keyFileSchema.safeParse(parsed);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const [, index] = issue.path;
  if (typeof index === 'number') throw new KeyFileError(`${path}: keys[${index}] ${issue.message}`);
  // The file's own checks (active key, kids); any other shape is not a JWKS at all.
  if (issue.code === 'custom') throw new KeyFileError(`${path} ${issue.message}`);
  throw new KeyFileError(`${path} is not a JWKS: expected {"keys": [...]}`);
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

/**
 * Writes a key file only where none exists (a hard link cannot replace a file): of several
 * replicas starting at once on one shared volume, exactly one creates it and the others read it.
 * @returns whether this call created it.
 */
export async function createKeyFile(path: string, file: KeyFile): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temporary);
  }
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
