import { describe, expect, it } from 'vitest';
import { parseLabArgs } from '../src/args.js';

const SCENARIOS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const parse = (...argv: string[]) => parseLabArgs(argv, SCENARIOS);
const message = (result: ReturnType<typeof parse>) =>
  result.kind === 'error' ? result.message : `not an error: ${result.kind}`;
/** Japanese text must not carry an English sentence: a few common words give one away. */
const ENGLISH = /\b(the|is|are|with|and|not|must|takes|Usage|Unknown|Option|default)\b/;

describe('parseLabArgs', () => {
  it('runs every scenario in English when given nothing', () => {
    expect(parse()).toEqual({
      kind: 'run',
      options: { lang: 'en', numbers: SCENARIOS, ownStack: false },
    });
  });

  it('runs the scenarios of --only in the language of --lang', () => {
    const result = parse('--lang', 'ja', '--only', '4, 6', '--own-stack');
    expect(result).toEqual({
      kind: 'run',
      options: { lang: 'ja', numbers: [4, 6], ownStack: true },
    });
  });

  it('prints the usage in the language of --lang when asked for help', () => {
    const en = parse('--help');
    const ja = parse('--lang', 'ja', '-h');
    expect(en.kind === 'help' && en.text).toMatch(/^Usage: npm run lab -- /);
    expect(ja.kind === 'help' && ja.text).toMatch(/^使い方：npm run lab -- /);
    const prose = (ja.kind === 'help' ? ja.text : '').replace(
      /\$?[\w:/.-]*[A-Za-z][\w:/.-]*/g,
      (word) =>
        /^(--[\w-]+|en|ja|URL|https?:.*|\$\w+|auth-server|worldmappers-api|giftdeliveries|npm|run|lab)$/.test(
          word,
        )
          ? ''
          : word,
    );
    expect(prose).not.toMatch(/[A-Za-z]/);
  });

  it('refuses a scenario number it does not know, in English by default', () => {
    expect(message(parse('--only', '99'))).toMatch(
      /^--only takes scenario numbers \(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12\), not "99"\n\nUsage: /,
    );
  });

  it('refuses a scenario number it does not know in Japanese when --lang ja is given', () => {
    for (const argv of [
      ['--lang', 'ja', '--only', '99'],
      ['--only', 'x', '--lang=ja'],
    ]) {
      const text = message(parse(...argv));
      expect(text).toMatch(
        /^--only にはシナリオの番号（1, 2, .*, 12）を指定してください（".+" が指定されました）\n\n使い方：/,
      );
      expect(text).not.toMatch(ENGLISH);
    }
  });

  it('refuses a language it does not know, and an unknown option, in English by default', () => {
    expect(message(parse('--lang', 'fr'))).toMatch(/^--lang must be en or ja, not "fr"\n\nUsage: /);
    expect(message(parse('--bogus'))).toMatch(/^Unknown option '--bogus'.*\n\nUsage: /);
  });

  it('says an unknown option, a missing value and a bad --lang in Japanese when --lang ja is on the line', () => {
    const cases: Array<[string[], string]> = [
      [['--lang', 'ja', '--bogus'], '不明なオプションです：--bogus'],
      [['--bogus', '--lang', 'ja'], '不明なオプションです：--bogus'],
      [['--lang', 'ja', '--only'], '--only には値が必要です'],
      [['--lang=ja', '--own-stack=yes'], '--own-stack には値を付けられません'],
    ];
    for (const [argv, first] of cases) {
      const text = message(parse(...argv));
      expect(text.split('\n')[0]).toBe(first);
      expect(text).toContain('\n\n使い方：');
      expect(text).not.toMatch(ENGLISH);
    }
  });
});
