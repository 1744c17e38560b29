/** Letters that Unicode does not decompose into a base letter plus a mark. */
const FOLD: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
};
const FOLDABLE = new RegExp(`[${Object.keys(FOLD).join('')}]`, 'g');

/**
 * The form names are compared in: lower case, accents and punctuation dropped, single spaces.
 * "São Paulo" and "sao-paulo" both become "sao paulo".
 */
export function normalizeName(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(FOLDABLE, (c) => FOLD[c] ?? c)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
