import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Logger } from '@repo/logger';
import type { ResolvedRegistry } from './registry-check.js';

/**
 * The JWS algorithms a `private_key_jwt` assertion may be signed with: asymmetric only. An HS*
 * assertion would need a secret again (and HS256 "keyed" with a public key is the classic
 * algorithm-confusion forgery); `none` is no signature. Advertised in discovery as
 * `token_endpoint_auth_signing_alg_values_supported`, and oidc-provider's
 * `enabledJWA.clientAuthSigningAlgValues`.
 */
export const ASSERTION_SIGNING_ALGS = ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'] as const;

/**
 * The longest an assertion may live (`exp` − now, and `exp` − `iat`): our clients sign for 60 s;
 * some libraries sign for up to 5 minutes. It also bounds how long a `jti` is remembered.
 */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;

/** A public JWK as a registered client may publish it. */
export interface PublicJwk {
  kty: string;
  kid: string;
  [member: string]: unknown;
}

/** The public keys of every `private_key_jwt` client with a JWKS file, by client id. */
export interface ClientKeysSnapshot {
  /** Changes whenever a file changes: the provider is rebuilt then. */
  version: string;
  jwks: ReadonlyMap<string, { keys: PublicJwk[] }>;
}

/** A client's JWKS file cannot be used; the message names the file and the problem. */
export class ClientKeysError extends Error {
  override readonly name = 'ClientKeysError';
}

/** Members only a private (or symmetric) key has (RFC 7518 §6). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const KEY_TYPES = ['EC', 'RSA', 'OKP'];

/**
 * The keys of a client's JWKS, checked: asymmetric public keys only (a private member is refused,
 * so a private key pasted by mistake is never served as a client key), each with a unique `kid`.
 */
export function checkClientJwks(text: string, file: string): PublicJwk[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ClientKeysError(`${file} is not JSON (expected {"keys": [...]})`);
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new ClientKeysError(`${file} has no "keys" list`);
  const kids = new Set<string>();
  return keys.map((key: unknown, index) => {
    const where = `${file}: keys[${index}]`;
    if (typeof key !== 'object' || key === null) throw new ClientKeysError(`${where} is not a JWK`);
    const jwk = key as Record<string, unknown>;
    if (PRIVATE_MEMBERS.some((member) => member in jwk)) {
      throw new ClientKeysError(
        `${where} holds a private or symmetric key: register only the public JWKS (npm run keys:client prints it)`,
      );
    }
    if (typeof jwk.kty !== 'string' || !KEY_TYPES.includes(jwk.kty)) {
      throw new ClientKeysError(`${where}: kty must be one of ${KEY_TYPES.join(', ')}`);
    }
    if (typeof jwk.kid !== 'string' || jwk.kid === '') {
      throw new ClientKeysError(`${where} has no kid (assertions name their key by kid)`);
    }
    if (kids.has(jwk.kid)) throw new ClientKeysError(`${where}: duplicate kid "${jwk.kid}"`);
    kids.add(jwk.kid);
    if (
      jwk.alg !== undefined &&
      !(ASSERTION_SIGNING_ALGS as readonly unknown[]).includes(jwk.alg)
    ) {
      throw new ClientKeysError(
        `${where}: alg ${String(jwk.alg)} is not accepted (one of ${ASSERTION_SIGNING_ALGS.join(', ')})`,
      );
    }
    if (jwk.use !== undefined && jwk.use !== 'sig') {
      throw new ClientKeysError(`${where}: use must be "sig"`);
    }
    return jwk as PublicJwk;
  });
}

interface Loaded {
  stamp: string;
  keys: PublicJwk[];
}

/**
 * The public keys of the `private_key_jwt` clients whose JWKS is a file, re-read when a file
 * changes (its size or modification time), so that `npm run keys:client -- --rotate` adds a key
 * and `--retire` removes one while the server runs: the overlap of a client key rotation.
 *
 * A missing file means no key (every assertion of that client is refused), with a warning. At
 * start an invalid file is an error; later, an invalid edit is logged and the previous keys stay.
 */
/**
 * A JWKS file's size and time, or `missing`. Checked on every token request, so synchronously
 * (see fileSignature of the key ring): a few µs, no thread-pool trip, no exception when missing.
 */
function fileStamp(file: string): string {
  try {
    const info = statSync(file, { throwIfNoEntry: false });
    return info ? `${info.size}:${info.mtimeMs}` : 'missing';
  } catch {
    return 'missing';
  }
}

export class ClientKeys {
  private readonly files: {
    clientId: string;
    file: string;
    variable: string;
    /** Named by its variable (a missing file is then a mistake), or the registry's default. */
    explicit: boolean;
  }[];
  private readonly loaded = new Map<string, Loaded>();
  private snapshot: ClientKeysSnapshot | undefined;

  constructor(
    registry: ResolvedRegistry,
    private readonly logger: Logger,
  ) {
    this.files = [...registry.clients.values()].flatMap((client) =>
      client.publicKeys && 'jwksFile' in client.publicKeys
        ? [
            {
              clientId: client.id,
              file: client.publicKeys.jwksFile,
              variable: client.publicKeys.variable,
              explicit: client.publicKeys.relativeTo === 'cwd',
            },
          ]
        : [],
    );
  }

  /**
   * The keys now. The first call throws {@link ClientKeysError} for an invalid file (index.ts
   * makes it the start-up error); later calls never throw. Calls made while the files are being
   * checked share that check, as KeyRing's do: concurrent token requests cost one stat per file.
   */
  current(): Promise<ClientKeysSnapshot> {
    this.checking ??= this.check().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private checking: Promise<ClientKeysSnapshot> | undefined;

  private async check(): Promise<ClientKeysSnapshot> {
    const first = this.snapshot === undefined;
    let changed = first;
    for (const { clientId, file, variable, explicit } of this.files) {
      const before = this.loaded.get(clientId);
      const stamp = fileStamp(file);
      if (before?.stamp === stamp) continue;
      changed = true;
      if (stamp === 'missing') {
        // The default demo has no key pair until keys:client runs: worth a line, not a warning.
        this.logger[explicit ? 'warn' : 'info'](
          'client has no public keys yet: its assertions are refused',
          {
            client_id: clientId,
            jwks_file: file,
            fix: `run npm run keys:client, or set ${variable}`,
          },
        );
        this.loaded.set(clientId, { stamp, keys: [] });
        continue;
      }
      try {
        const keys = checkClientJwks(await readFile(file, 'utf8'), file);
        this.loaded.set(clientId, { stamp, keys });
        this.logger.info('client public keys loaded', {
          client_id: clientId,
          jwks_file: file,
          kids: keys.map((key) => key.kid),
        });
      } catch (error) {
        if (first)
          throw error instanceof ClientKeysError
            ? error
            : new ClientKeysError(`${file}: ${String(error)}`);
        // Half-written or wrong: keep the keys we had; try again on the next change.
        this.loaded.set(clientId, { stamp, keys: before?.keys ?? [] });
        this.logger.error('client public keys not reloaded: the file is invalid', {
          client_id: clientId,
          jwks_file: file,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
    if (changed || !this.snapshot) {
      const jwks = new Map([...this.loaded].map(([id, { keys }]) => [id, { keys }]));
      const version = [...this.loaded].map(([id, { stamp }]) => `${id}=${stamp}`).join(',');
      this.snapshot = { version, jwks };
    }
    return this.snapshot;
  }
}
