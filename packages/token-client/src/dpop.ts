import { createHash, randomUUID } from 'node:crypto';
// jose by entry point: the package's index is some 60 modules to load at start-up.
import type { CryptoKey, JWK } from 'jose';
import { calculateJwkThumbprint } from 'jose/jwk/thumbprint';
import { exportJWK } from 'jose/key/export';
import { generateKeyPair } from 'jose/key/generate/keypair';
import { SignJWT } from 'jose/jwt/sign';

/** The algorithm of the key pair: ES256, which every DPoP server accepts (RFC 9449 §5.1). */
export const DPOP_ALG = 'ES256';

/** What one proof is for (RFC 9449 §4.2). */
export interface DpopProofRequest {
  /** The HTTP method (`GET`, `POST`). */
  htm: string;
  /** The request's URL; its query and fragment are left out of the proof. */
  htu: string;
  /** The access token the proof goes with: its hash becomes `ath` (resource requests only). */
  accessToken?: string;
  /** A nonce the server asked for (`DPoP-Nonce`), if any. */
  nonce?: string;
}

/**
 * A DPoP key pair kept in memory for the life of the process (RFC 9449 §4): it signs one fresh
 * proof per request and remembers the last nonce each server (by origin) asked for.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4
 */
export interface DpopKey {
  /** The public key, as proofs carry it in their `jwk` header. */
  readonly publicJwk: JWK;
  /** Its JWK SHA-256 thumbprint (RFC 7638): the token's `cnf.jkt`. */
  readonly thumbprint: string;
  /** A new proof (`typ: dpop+jwt`, `jti`, `htm`, `htu`, `iat`, and `ath`/`nonce` when given). */
  proof(request: DpopProofRequest): Promise<string>;
  /** The nonce last asked for by the server at `url`'s origin. */
  nonceFor(url: string): string | undefined;
  /** Remembers a `DPoP-Nonce` a server at `url`'s origin sent. */
  rememberNonce(url: string, nonce: string | undefined): void;
}

export interface DpopKeyOptions {
  /** Seconds since the epoch, for `iat`; tests fix it. Default the system clock. */
  now?: () => number;
  /** The `jti` of each proof; tests fix it. Default a random UUID. */
  newJti?: () => string;
}

/** `htu`: the URL without its query and fragment (RFC 9449 §4.2). */
export function proofTarget(url: string): string {
  const parsed = new URL(url);
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

/** `ath`: the base64url SHA-256 of the access token (RFC 9449 §4.2). */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** A DPoP key pair made for this process; the private key never leaves memory. */
export async function createDpopKey(options: DpopKeyOptions = {}): Promise<DpopKey> {
  const { now = () => Math.floor(Date.now() / 1000), newJti = randomUUID } = options;
  const { privateKey, publicKey } = await generateKeyPair(DPOP_ALG, { extractable: false });
  const { kty, crv, x, y } = await exportJWK(publicKey);
  const publicJwk: JWK = { kty, crv, x, y };
  const thumbprint = await calculateJwkThumbprint(publicJwk);
  const nonces = new Map<string, string>();
  return {
    publicJwk,
    thumbprint,
    proof: (request) => signProof(privateKey as CryptoKey, publicJwk, request, now(), newJti()),
    nonceFor: (url) => nonces.get(new URL(url).origin),
    rememberNonce(url, nonce) {
      if (typeof nonce === 'string' && nonce !== '') nonces.set(new URL(url).origin, nonce);
    },
  };
}

function signProof(
  privateKey: CryptoKey,
  jwk: JWK,
  { htm, htu, accessToken, nonce }: DpopProofRequest,
  iat: number,
  jti: string,
): Promise<string> {
  const claims: Record<string, string> = { htm: htm.toUpperCase(), htu: proofTarget(htu) };
  if (accessToken !== undefined) claims.ath = accessTokenHash(accessToken);
  if (nonce !== undefined) claims.nonce = nonce;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: DPOP_ALG, typ: 'dpop+jwt', jwk })
    .setJti(jti)
    .setIssuedAt(iat)
    .sign(privateKey);
}

/**
 * The nonce a server asks a proof to carry (RFC 9449 §8, §9): its `DPoP-Nonce` header on a
 * `use_dpop_nonce` refusal, 400 with a JSON error from a token endpoint, 401 with a `DPoP`
 * challenge from a resource server.
 */
export function useDpopNonce(
  status: number,
  headers: Record<string, unknown> | undefined,
  data: unknown,
): string | undefined {
  const nonce = headers?.['dpop-nonce'];
  if (typeof nonce !== 'string' || nonce === '') return undefined;
  const challenge = headers?.['www-authenticate'];
  const asked =
    (status === 401 && typeof challenge === 'string' && /error="use_dpop_nonce"/.test(challenge)) ||
    (status === 400 &&
      typeof data === 'object' &&
      data !== null &&
      (data as { error?: unknown }).error === 'use_dpop_nonce');
  return asked ? nonce : undefined;
}
