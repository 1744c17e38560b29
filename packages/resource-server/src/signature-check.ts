import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { ProtectedHeaderParameters } from 'jose';
import { decodeProtectedHeader } from 'jose/decode/protected_header';
import type { KeySet } from '@repo/issuer-metadata';

/** The library's words (jose's) for a signature that does not match its key. */
export const SIGNATURE_FAILED = 'signature verification failed';

/** Compact JWS: three base64url parts, as the library requires before it reads one. */
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** The RSA algorithms checked here, with the digest and padding jose verifies them with. */
const RSA_ALGS: Record<string, { digest: string; pss: boolean }> = {
  RS256: { digest: 'sha256', pss: false },
  RS384: { digest: 'sha384', pss: false },
  RS512: { digest: 'sha512', pss: false },
  PS256: { digest: 'sha256', pss: true },
  PS384: { digest: 'sha384', pss: true },
  PS512: { digest: 'sha512', pss: true },
};

type Jwk = Record<string, unknown>;

/**
 * Whether a plain Bearer token's signature is refuted by the issuer's key, checked before the
 * library: a forged token then costs its RS256 check alone, not the library's per-request set-up
 * and its error objects as well (twice what a verified, cached token costs).
 *
 * It answers `true` only where the library would reach the signature and refuse it there with
 * {@link SIGNATURE_FAILED}: a compact JWS whose header is a JSON object with the API's own `alg`,
 * no `crit` or `b64`, and a `kid` that selects exactly one key as jose's key set selects it (type,
 * `use`, `alg`, `key_ops`) of at least 2048 bits. Everything else, a matching signature included,
 * is the library's to decide, as before; a valid new token is thus checked twice, once in its
 * life before the verification cache keeps it.
 */
export class SignatureCheck {
  /** Each key set's imported keys by kid (null: not one this check may use). */
  readonly #keys = new WeakMap<KeySet, Map<string, KeyObject | null>>();

  constructor(private readonly alg: string) {}

  /** True when `token`'s signature does not match the key its `kid` names in `keys`. */
  refutes(token: string, keys: KeySet | undefined): boolean {
    const rsa = RSA_ALGS[this.alg];
    if (keys === undefined || rsa === undefined || !COMPACT_JWS.test(token)) return false;
    const signatureStart = token.lastIndexOf('.') + 1;
    const header = headerOf(token);
    if (header?.alg !== this.alg || 'crit' in header || 'b64' in header) return false;
    if (typeof header.kid !== 'string') return false;
    const key = this.#keyFor(keys, header.kid);
    if (key === null) return false;
    const data = Buffer.from(token.slice(0, signatureStart - 1));
    const signature = Buffer.from(token.slice(signatureStart), 'base64url');
    const options = rsa.pss
      ? {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        }
      : key;
    try {
      return !verify(rsa.digest, data, options, signature);
    } catch {
      return false;
    }
  }

  #keyFor(keys: KeySet, kid: string): KeyObject | null {
    // Only the key set's own kids are remembered: any other is the caller's to invent.
    if (!keys.kids.has(kid)) return null;
    let byKid = this.#keys.get(keys);
    if (byKid === undefined) {
      byKid = new Map();
      this.#keys.set(keys, byKid);
    }
    let key = byKid.get(kid);
    if (key === undefined) {
      key = importOne(keys.jwks.keys, kid, this.alg);
      byKid.set(kid, key);
    }
    return key;
  }
}

/** The token's protected header as jose reads it, or undefined where jose would refuse it. */
function headerOf(token: string): ProtectedHeaderParameters | undefined {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return undefined;
  }
}

/** The one key jose would pick for `kid` and `alg`, imported; null where it would not pick one. */
function importOne(jwks: readonly Jwk[], kid: string, alg: string): KeyObject | null {
  const candidates = jwks.filter(
    (jwk) =>
      jwk.kty === 'RSA' &&
      jwk.kid === kid &&
      (jwk.alg === undefined || jwk.alg === alg) &&
      (typeof jwk.use !== 'string' || jwk.use === 'sig') &&
      (!Array.isArray(jwk.key_ops) || jwk.key_ops.includes('verify')),
  );
  if (candidates.length !== 1) return null;
  try {
    const key = createPublicKey({ key: candidates[0] as never, format: 'jwk' });
    return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048 ? key : null;
  } catch {
    return null;
  }
}
