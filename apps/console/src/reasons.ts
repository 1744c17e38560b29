/**
 * Why each of the inspector's checks passed or failed, as a stable code and its values. The
 * console's API sends the code, the values and the English sentence (`reason`, built here); the
 * page words the same code in the reader's language (web/i18n.ts), so no reason is English-only.
 * Pure, without imports: the page's bundle uses it too.
 */

/** The values each reason code carries, as the inspector sends them (JSON). */
export interface ReasonParams {
  /** `alg none` or an HMAC algorithm: never accepted, whatever the key. */
  'alg-refused': { alg: string };
  /** The issuer's JWKS has no key with the header's `kid` (undefined: the header has none). */
  'no-key': { kid?: string };
  'signature-verified': { kid: string };
  /**
   * The key with that `kid` does not verify the token. `detail` is the library's message;
   * `detailCode` its error code (`ERR_JWS_SIGNATURE_VERIFICATION_FAILED`…) or the error's name.
   */
  'signature-invalid': { kid: string; alg: string; detail: string; detailCode: string };
  'issuer-ok': { issuer: string };
  'issuer-wrong': { iss: string; issuer: string };
  'audience-ok': { audience: string };
  /** `aud`: the token's audiences, comma-separated ('' when it has none). */
  'audience-wrong': { aud: string; audience: string };
  'expiry-missing': Record<string, never>;
  /** `seconds` until exp; below 0 when exp has passed but within the clock tolerance. */
  'expiry-ok': { seconds: number };
  'expiry-passed': { seconds: number };
  'scope-ok': { scope: string };
  /** `granted`: the token's scopes, space-separated. */
  'scope-missing': { granted: string; scope: string };
}

export type ReasonCode = keyof ReasonParams;

/** A reason as the API sends it: the code and its values. */
export type Reason = { [C in ReasonCode]: { code: C; params: ReasonParams[C] } }[ReasonCode];

/** One sentence per code. */
export type ReasonWords = { [C in ReasonCode]: (params: ReasonParams[C]) => string };

export const REASONS_EN: ReasonWords = {
  'alg-refused': ({ alg }) => `alg ${alg} is never accepted`,
  'no-key': ({ kid }) => `no key with kid "${kid ?? '(none)'}" in the issuer's JWKS`,
  'signature-verified': ({ kid }) => `verified with kid ${kid}`,
  'signature-invalid': ({ kid, detail }) => `does not verify with kid ${kid}: ${detail}`,
  'issuer-ok': ({ issuer }) => `iss is ${issuer}`,
  'issuer-wrong': ({ iss, issuer }) => `iss is ${iss}, expected ${issuer}`,
  'audience-ok': ({ audience }) => `aud holds ${audience}`,
  'audience-wrong': ({ aud, audience }) => `aud is ${aud || '(none)'}, the route needs ${audience}`,
  'expiry-missing': () => 'no exp claim',
  'expiry-ok': ({ seconds }) => `expires in ${seconds} s`,
  'expiry-passed': ({ seconds }) => `expired ${seconds} s ago`,
  'scope-ok': ({ scope }) => `scope holds ${scope}`,
  'scope-missing': ({ granted, scope }) => `scope is "${granted}", the route needs ${scope}`,
};

/** A reason's sentence in the given words (English by default). */
export const reasonIn = (reason: Reason, words: ReasonWords = REASONS_EN): string =>
  (words[reason.code] as (params: Reason['params']) => string)(reason.params);

/**
 * What the inspector answers instead of checks, and the console API's refusals of an inspection:
 * a code and its English sentence (the `error` / `error_description` on the wire).
 */
export const INSPECT_ERRORS_EN = {
  'not-a-jwt': 'This is not a JWT (three base64url parts, a JSON header and claims).',
  'no-token': 'Paste a token, or pick one the console obtained.',
  'unknown-route': 'Unknown route.',
} as const;

export type InspectErrorCode = keyof typeof INSPECT_ERRORS_EN;
