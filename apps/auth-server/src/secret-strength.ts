/** RFC 6749 Appendix A: client_secret = *VSCHAR, VSCHAR = %x20-7E. */
const VSCHAR = /^[\x20-\x7E]*$/;

export const isVsChar = (secret: string) => VSCHAR.test(secret);

/** What production asks of a client secret. */
export const MIN_SECRET_BITS = 128;

const CLASSES: readonly [RegExp, number][] = [
  [/[0-9]/, 10],
  [/[a-z]/, 26],
  [/[A-Z]/, 26],
  [/[^0-9a-zA-Z]/, 33],
];

/**
 * A rough upper bound of a secret's entropy: length × log2(charset variety), the variety being
 * the alphabet of the character classes it uses (digits, lower, upper, other printable ASCII), or
 * only its distinct characters when it repeats a few ("aaaa…", "abab…").
 */
export function estimatedBits(secret: string): number {
  if (secret.length === 0) return 0;
  const distinct = new Set(secret).size;
  const alphabet = CLASSES.reduce(
    (sum, [pattern, size]) => sum + (pattern.test(secret) ? size : 0),
    0,
  );
  const variety = distinct < Math.min(secret.length, 16) / 2 ? distinct : alphabet;
  return variety <= 1 ? 0 : secret.length * Math.log2(variety);
}
