import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { describeArgsError, langFromArgv } from '../src/cli-args.js';

const errorOf = (args: string[]): unknown => {
  try {
    parseArgs({ args, options: { lang: { type: 'string' }, help: { type: 'boolean' } } });
  } catch (error) {
    return error;
  }
  throw new Error('parsed');
};

describe('langFromArgv', () => {
  it.each([
    [['--lang', 'ja', '--bogus'], 'ja'],
    [['--bogus', '--lang=ja'], 'ja'],
    [['--lang', 'ja', '--lang', 'en'], 'en'],
    [['--lang', 'fr'], 'en'],
    [['--only', '99'], 'en'],
  ] as const)('reads %j as %s, before any parsing', (argv, lang) => {
    expect(langFromArgv(argv)).toBe(lang);
  });

  it('keeps the fallback when --lang is absent or not a known language', () => {
    expect(langFromArgv([], 'ja')).toBe('ja');
    expect(langFromArgv(['--lang'], 'ja')).toBe('ja');
  });
});

describe('describeArgsError', () => {
  it.each([
    [['--bogus'], "Unknown option '--bogus'", '不明なオプションです：--bogus'],
    [['--lang'], "Option '--lang <value>' argument missing", '--lang には値が必要です'],
    [['--help=1'], "Option '--help' does not take an argument", '--help には値を付けられません'],
  ])('says the error of %j in English and in Japanese', (args, en, ja) => {
    const error = errorOf(args);
    expect(describeArgsError(error, 'en')).toBe(en);
    expect(describeArgsError(error, 'ja')).toBe(ja);
  });

  it('names a stray argument in Japanese without the English explanation of node', () => {
    const error = (() => {
      try {
        parseArgs({ args: ['x'], options: {}, strict: true });
      } catch (caught) {
        return caught;
      }
    })();
    expect(describeArgsError(error, 'en')).toMatch(/^Unexpected argument 'x'/);
    expect(describeArgsError(error, 'ja')).toBe('不要な引数です：x');
  });
});
