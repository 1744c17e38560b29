import { readFile } from 'node:fs/promises';
import { importJWK, type CryptoKey, type JWK } from 'jose';

/** One of the auth-server's signing keys, read from its key file. */
export interface SigningKey {
  kid: string;
  /** Signs tokens the auth-server's resource servers accept (while the key is published). */
  privateKey: CryptoKey;
  /** The public half, as the JWKS publishes it. */
  publicJwk: JWK;
  /** Whether a newer key has taken over (the key still verifies, but no longer signs). */
  retired: boolean;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

/**
 * The auth-server's signing keys from its key file (`DATA_DIR/signing-keys.json`, a private JWKS),
 * the current one first. Only a test or the lab that started the auth-server itself (and so owns
 * its data directory) can do this: whoever holds this file can mint any token.
 */
export async function readSigningKeys(keyFile: string): Promise<SigningKey[]> {
  const parsed = JSON.parse(await readFile(keyFile, 'utf8')) as {
    keys?: (JWK & { kid?: string; retired_at?: number })[];
  };
  const keys = await Promise.all(
    (parsed.keys ?? []).map(async (jwk) => {
      if (!jwk.kid) throw new Error(`${keyFile}: a key has no kid`);
      const publicJwk: JWK = {
        kty: jwk.kty,
        n: jwk.n,
        e: jwk.e,
        kid: jwk.kid,
        alg: 'RS256',
        use: 'sig',
      };
      const privateJwk: JWK = { ...jwk };
      delete (privateJwk as { retired_at?: number }).retired_at;
      delete (privateJwk as { created_at?: number }).created_at;
      for (const member of PRIVATE_MEMBERS) {
        if (!privateJwk[member]) throw new Error(`${keyFile}: key ${jwk.kid} lacks "${member}"`);
      }
      return {
        kid: jwk.kid,
        privateKey: (await importJWK(privateJwk, 'RS256')) as CryptoKey,
        publicJwk,
        retired: jwk.retired_at !== undefined,
      };
    }),
  );
  return [...keys.filter((key) => !key.retired), ...keys.filter((key) => key.retired)];
}

/** The key that signs now. */
export async function currentSigningKey(keyFile: string): Promise<SigningKey> {
  const [key] = await readSigningKeys(keyFile);
  if (!key || key.retired) throw new Error(`${keyFile} has no active signing key`);
  return key;
}
