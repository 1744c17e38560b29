import type { Request } from 'express';
// The one helper from its own entry point: `jose` whole is some 60 modules to load at start-up.
import { decodeJwt } from 'jose/jwt/decode';
import { LRUCache } from 'lru-cache';

/**
 * How an API treats DPoP (RFC 9449): `allowed` accepts plain Bearer tokens and DPoP-bound tokens
 * with their proof (the default); `required` accepts only DPoP-bound tokens with their proof;
 * `off` accepts plain Bearer tokens only and refuses every token with a `cnf` claim.
 */
export type DpopMode = 'allowed' | 'required' | 'off';
export const DPOP_MODES = ['allowed', 'required', 'off'] as const satisfies readonly DpopMode[];

/** Options of DPoP verification in {@link protectApi}. */
export interface DpopOptions {
  /** Default `allowed`. */
  mode?: DpopMode;
  /** How old a proof's `iat` may be, in seconds. Default 60. */
  iatOffsetSec?: number;
  /** How far in the future a proof's `iat` may be (clock drift), in seconds. Default 5. */
  iatLeewaySec?: number;
  /**
   * Most proof `jti`s remembered at once to refuse replays, in this process only (replicas need a
   * shared store: issue 22). Default 100 000.
   */
  replayMaxEntries?: number;
}

/** The proof algorithms announced in the `DPoP` challenge: asymmetric only (RFC 9449 §7.1). */
export const DPOP_PROOF_ALGS = [
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
  'EdDSA',
] as const;

/** The scheme of a request's `Authorization` header, lower case (`bearer`, `dpop`), if any. */
export function schemeOf(req: Request): string | undefined {
  const { authorization } = req.headers;
  if (typeof authorization !== 'string') return undefined;
  const space = authorization.indexOf(' ');
  return (space === -1 ? authorization : authorization.slice(0, space)).toLowerCase();
}

/**
 * The `jti`s of the proofs accepted within their window (RFC 9449 §11.1), per process: a proof
 * seen again while its `iat` would still be accepted is a replay. Bounded (least recently used
 * dropped first), each entry kept only as long as its proof could be accepted.
 */
export class DpopReplayStore {
  readonly #seen: LRUCache<string, true>;

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError('dpop.replayMaxEntries must be a positive integer');
    }
    this.#seen = new LRUCache<string, true>({ max: maxEntries, ttlAutopurge: false });
  }

  /** True the first time `key` is seen within `ttlMs`; false for a replay. */
  firstUse(key: string, ttlMs: number): boolean {
    if (this.#seen.get(key) !== undefined) return false;
    this.#seen.set(key, true, { ttl: Math.max(1, ttlMs) });
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }
}

/** A verified proof's `jti` and `iat` (the library has checked its signature and claims). */
export function proofIdentity(proof: string): { jti: string; iat: number } | undefined {
  try {
    const { jti, iat } = decodeJwt(proof);
    return typeof jti === 'string' && typeof iat === 'number' ? { jti, iat } : undefined;
  } catch {
    return undefined;
  }
}
