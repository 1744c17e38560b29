import { statSync } from 'node:fs';
import type { JWK } from 'jose';
import type { Logger } from '@repo/logger';
import {
  createKeyFile,
  generateSigningKey,
  isExpiredKey,
  KeyFileError,
  RETIREMENT_LEEWAY_SECONDS,
  readKeyFile,
  type KeyFile,
  type StoredKey,
} from './key-file.js';

/** The keys in use at one moment. */
export interface KeySnapshot {
  /** Changes whenever the signing key or the published set changes. */
  version: string;
  signingKid: string;
  /** Every published key, private, signing key first: what oidc-provider's `jwks` expects. */
  privateJwks: JWK[];
  publishedKids: string[];
  /** Per retired kid, the ISO time it leaves the published set (its last tokens have expired). */
  retiredUntil: Record<string, string>;
}

export interface KeyRingOptions {
  /** The private JWKS file. */
  path: string;
  /** Create the file with a first key when it does not exist (the `DATA_DIR` case). */
  create: boolean;
  /** How long a retired key stays published: the longest token lifetime. */
  maxTokenLifetimeSeconds: number;
  logger: Logger;
  /** Epoch seconds; tests move time. */
  now?: () => number;
}

const BOOKKEEPING = new Set(['created_at', 'retired_at']);

function toJwk(key: StoredKey): JWK {
  return Object.fromEntries(Object.entries(key).filter(([name]) => !BOOKKEEPING.has(name))) as JWK;
}

/**
 * The file's identity, size and time, or `undefined` when it is missing or unreadable. Checked on
 * every token request, so synchronously: a stat of a local file takes a few µs, where the
 * promise form costs a trip through libuv's thread pool (tens of µs of CPU, measured by the
 * bench's token-limit phase) and a missing file an exception.
 */
function fileSignature(path: string): string | undefined {
  try {
    const info = statSync(path, { throwIfNoEntry: false });
    return info && `${info.ino}:${info.size}:${info.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/**
 * The signing keys, kept in step with their file. Every call to {@link KeyRing.current} checks
 * the file (one `stat`), so a rotation made by another process is in use from the very next
 * request, with no restart, no polling delay and no admin endpoint. A retired key leaves the
 * published set once every token it signed has expired, even if the file does not change.
 */
export class KeyRing {
  private file: KeyFile;
  private signature: string | undefined;
  private snapshot: KeySnapshot;
  private refreshing: Promise<KeySnapshot> | undefined;
  private lastProblem: string | undefined;
  private readonly now: () => number;

  private constructor(
    private readonly options: KeyRingOptions,
    file: KeyFile,
    signature: string | undefined,
  ) {
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.file = file;
    this.signature = signature;
    this.snapshot = this.compute();
  }

  /**
   * Reads the key file, creating it with a fresh key first when allowed.
   * @throws KeyFileError when the file is missing (and may not be created) or invalid.
   */
  static async open(options: KeyRingOptions): Promise<KeyRing> {
    let file = await readKeyFile(options.path);
    if (!file) {
      if (!options.create) throw new KeyFileError(`${options.path} does not exist`);
      const first: KeyFile = { keys: [await generateSigningKey(options.now?.())] };
      if (await createKeyFile(options.path, first)) {
        file = first;
        options.logger.info('created a signing key', {
          path: options.path,
          kid: first.keys[0]!.kid,
        });
      } else {
        // Another replica on the same volume created it a moment ago: use that one.
        file = await readKeyFile(options.path);
        if (!file) throw new KeyFileError(`${options.path} has disappeared`);
      }
    }
    return new KeyRing(options, file, fileSignature(options.path));
  }

  /** The keys to use now, re-read first if the file changed. */
  current(): Promise<KeySnapshot> {
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<KeySnapshot> {
    const signature = fileSignature(this.options.path);
    if (signature !== this.signature) {
      try {
        const file = await readKeyFile(this.options.path);
        if (!file) throw new KeyFileError(`${this.options.path} has disappeared`);
        this.file = file;
        this.signature = signature;
        this.lastProblem = undefined;
      } catch (error) {
        // Keep signing with the keys we have: a half-edited file must not take the server down.
        const message = (error as Error).message;
        if (message !== this.lastProblem) {
          this.lastProblem = message;
          this.options.logger.error(
            'cannot reload the signing keys; still using the previous ones',
            {
              reason: message,
            },
          );
        }
      }
    }
    const next = this.compute();
    if (next.version !== this.snapshot.version) {
      this.options.logger.info('signing keys changed', {
        signing_kid: next.signingKid,
        published_kids: next.publishedKids,
        dropped_kids: this.snapshot.publishedKids.filter(
          (kid) => !next.publishedKids.includes(kid),
        ),
        retired_until: next.retiredUntil,
      });
      this.snapshot = next;
    }
    return this.snapshot;
  }

  private compute(): KeySnapshot {
    const now = this.now();
    const published = this.file.keys.filter(
      (key) => !isExpiredKey(key, this.options.maxTokenLifetimeSeconds, now),
    );
    // parseKeyFile guarantees an active key, and an active key never expires.
    const signing = published.find((key) => key.retired_at === undefined)!;
    const ordered = [signing, ...published.filter((key) => key !== signing)];
    const publishedKids = ordered.map((key) => key.kid);
    const retiredUntil: Record<string, string> = {};
    for (const key of published) {
      if (key.retired_at === undefined) continue;
      const leaves =
        key.retired_at + this.options.maxTokenLifetimeSeconds + RETIREMENT_LEEWAY_SECONDS;
      retiredUntil[key.kid] = new Date(leaves * 1000).toISOString();
    }
    return {
      version: publishedKids.join(','),
      signingKid: signing.kid,
      privateJwks: ordered.map(toJwk),
      publishedKids,
      retiredUntil,
    };
  }
}
