import { createHash, randomUUID } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';

/** What {@link ProofKey.proof} puts in a proof; every claim can be overridden or left out. */
export interface ProofOptions {
  htm?: string;
  htu?: string;
  /** The access token `ath` hashes; `null` leaves `ath` out. */
  accessToken?: string | null;
  /** Seconds since the epoch; default now. */
  iat?: number;
  /** Default a random UUID. */
  jti?: string;
  nonce?: string;
  /** Extra or replaced claims. */
  claims?: Record<string, unknown>;
  /** Header `typ`; default `dpop+jwt`. */
  typ?: string;
}

/** A DPoP key pair for tests: its thumbprint (the `cnf.jkt` to mint) and a proof forger. */
export interface ProofKey {
  publicJwk: JWK;
  /** RFC 7638 thumbprint: put it in a token as `cnf: { jkt }`. */
  jkt: string;
  /** A proof signed with this key (RFC 9449 §4.2), shaped by `options` for attack cases. */
  proof(options?: ProofOptions): Promise<string>;
}

/** `ath` of a token: base64url SHA-256 (RFC 9449 §4.2). */
export const athOf = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * An ES256 key for DPoP proofs in tests, independent of the client code under test (the proof
 * builder of @repo/token-client has unit tests of its own).
 */
export async function dpopProofKey(): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const { kty, crv, x, y } = await exportJWK(publicKey);
  const publicJwk: JWK = { kty, crv, x, y };
  const jkt = await calculateJwkThumbprint(publicJwk);
  return {
    publicJwk,
    jkt,
    proof(options = {}) {
      const claims: Record<string, unknown> = {
        htm: options.htm ?? 'GET',
        htu: options.htu ?? 'http://localhost/',
        iat: options.iat ?? Math.floor(Date.now() / 1000),
        jti: options.jti ?? randomUUID(),
      };
      if (typeof options.accessToken === 'string') claims.ath = athOf(options.accessToken);
      if (options.nonce !== undefined) claims.nonce = options.nonce;
      Object.assign(claims, options.claims);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', typ: options.typ ?? 'dpop+jwt', jwk: publicJwk })
        .sign(privateKey as CryptoKey);
    },
  };
}
