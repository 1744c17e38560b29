import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Gazetteer } from './gazetteer.js';

/** One municipality of Japan with the GeoNames place it is (see japanese-names-build.ts). */
export interface JapaneseName {
  /** As written, with its suffix: 京都市, 千代田区, 白川村. */
  kanji: string;
  /** Its reading in hiragana, with the suffix's: きょうとし. */
  kana: string;
  /** The suffix, as written and as read: 市/し, 町/まち or ちょう, 村/むら or そん, 区/く. */
  suffix: { kanji: string; kana: string };
  /** Its prefecture, as written (京都府) and read (きょうとふ), with the suffix's length. */
  prefecture: { kanji: string; kana: string; suffixKanji: number; suffixKana: number };
  geonameId: number;
}

/**
 * Where the build writes the derived file: `dist/world`, resolved from this module, which sits in
 * `src/world` and `dist/world` alike (as the road network's file).
 */
export const DEFAULT_NAMES_FILE = fileURLToPath(
  new URL('../../dist/world/japanese-names.json', import.meta.url),
);

/** Any kanji, hiragana or katakana: text that is looked up as a Japanese name. */
const JAPANESE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

export const isJapanese = (text: string) => JAPANESE.test(text);

/** Katakana as hiragana (ア → あ), half-width first made full width; the rest kept. */
export function toHiragana(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
}

/** The form compared: hiragana, no spaces, commas or the middle dot; 日本 and its readings dropped. */
function key(text: string): string {
  return toHiragana(text)
    .replace(/[\s,、，・]+/g, '')
    .replace(/^(日本国?|にほん|にっぽん)/, '')
    .replace(/(日本国?|にほん|にっぽん)$/, '');
}

/**
 * Japanese names of the places of Japan: each municipality under its name with and without its
 * suffix (京都市, 京都), in kanji and in kana (きょうと, キョウト), alone or after or before its
 * prefecture with or without the prefecture's suffix (京都府京都市, 京都 京都府). A name shared
 * by several municipalities (府中: Tokyo's and Hiroshima's) alone means the most populous;
 * with its prefecture, that prefecture's.
 */
export class JapaneseNames {
  /** Built on the first lookup (about 0.1 s of CPU), so that start-up does not pay for it. */
  private byKey: Map<string, number[]> | undefined;
  private readonly nameById = new Map<number, string>();
  private indexById: Map<number, number> | undefined;

  constructor(
    readonly names: readonly JapaneseName[],
    private readonly gazetteer: Gazetteer,
  ) {
    for (const name of names) {
      // A municipality's own name first: 京都市 rather than its prefecture, 京都府.
      if (!this.nameById.has(name.geonameId)) this.nameById.set(name.geonameId, name.kanji);
    }
  }

  /** Builds the lookup keys now (about 0.1 s of CPU) rather than on the first lookup. */
  prepare(): void {
    this.keys();
  }

  private keys(): Map<string, number[]> {
    if (this.byKey) return this.byKey;
    const byKey = new Map<string, number[]>();
    const add = (text: string, n: number) => {
      const k = key(text);
      if (!k) return;
      const list = byKey.get(k);
      if (!list) byKey.set(k, [n]);
      else if (!list.includes(n)) list.push(n);
    };
    for (const [n, name] of this.names.entries()) {
      const base = [name.kanji, name.kanji.slice(0, -name.suffix.kanji.length)];
      const read = [name.kana, name.kana.slice(0, -name.suffix.kana.length)];
      const pref = name.prefecture;
      const prefs = [
        pref.kanji,
        pref.kanji.slice(0, -pref.suffixKanji || undefined),
        pref.kana,
        pref.kana.slice(0, -pref.suffixKana || undefined),
      ];
      for (const own of [...base, ...read]) {
        add(own, n);
        for (const prefecture of prefs) {
          add(prefecture + own, n);
          add(own + prefecture, n);
        }
      }
    }
    // The file lists the most populous places first, so each key's list is in that order too.
    return (this.byKey = byKey);
  }

  /** Reads the build's derived file. */
  static load(gazetteer: Gazetteer, file = DEFAULT_NAMES_FILE): JapaneseNames {
    const names = JSON.parse(readFileSync(file, 'utf8')) as JapaneseName[];
    return new JapaneseNames(names, gazetteer);
  }

  private index(geonameId: number): number | undefined {
    if (!this.indexById) {
      this.indexById = new Map();
      const g = this.gazetteer;
      for (let i = 0; i < g.size; i += 1) {
        if (g.country[i] === 'JP') this.indexById.set(g.geonameId[i]!, i);
      }
    }
    return this.indexById.get(geonameId);
  }

  /** The gazetteer index of the place a Japanese name means, if any. */
  lookup(text: string): number | undefined {
    for (const n of this.keys().get(key(text)) ?? []) {
      const i = this.index(this.names[n]!.geonameId);
      if (i !== undefined) return i;
    }
    return undefined;
  }

  /** The Japanese name of a place of Japan (its municipality's, as written), if known. */
  nameOf(geonameId: number): string | undefined {
    return this.nameById.get(geonameId);
  }
}

/** The build's derived file, or undefined before the build wrote it (the build itself, tests). */
export function loadJapaneseNames(
  gazetteer: Gazetteer,
  file = DEFAULT_NAMES_FILE,
): JapaneseNames | undefined {
  return existsSync(file) ? JapaneseNames.load(gazetteer, file) : undefined;
}
