/**
 * The lab's command line: read without side effects, so that the usage and every argument error
 * can be checked in both languages. The language is known before parsing (`--lang ja` anywhere on
 * the line), so even an error about another argument is said in it.
 */
import { parseArgs } from 'node:util';
import { describeArgsError, langFromArgv } from '@repo/config';
import type { Lang } from './messages.js';

export interface LabOptions {
  lang: Lang;
  numbers: number[];
  issuer?: string;
  api?: string;
  giftdeliveries?: string;
  ownStack: boolean;
}

export type LabArgs =
  | { kind: 'run'; options: LabOptions }
  | { kind: 'help'; text: string }
  | { kind: 'error'; message: string };

const USAGE: Record<Lang, string> = {
  en: `Usage: npm run lab -- [--lang en|ja] [--only 1,4,10] [--issuer URL] [--api URL] [--giftdeliveries URL]

  --lang            en (default) or ja: the explanations in Japanese
  --only            run only these scenarios (numbers 1-12, comma separated)
  --issuer          the auth-server (default $ISSUER_BASE_URL or http://localhost:4000/)
  --api             worldmappers-api (default $WORLDMAPPERS_API_URL or http://localhost:7001)
  --giftdeliveries  giftdeliveries (default $GIFTDELIVERIES_URL or http://localhost:7002)
  --own-stack       start a stack of its own even if one is running

When nothing answers on those URLs the lab starts the three services itself from their builds,
on free ports, and stops them at the end.
`,
  ja: `使い方：npm run lab -- [--lang en|ja] [--only 1,4,10] [--issuer URL] [--api URL] [--giftdeliveries URL]

  --lang            en（既定）または ja：ja にすると説明を日本語で表示する
  --only            指定したシナリオだけを実行する（1〜12 の番号をカンマ区切りで）
  --issuer          認可サーバー auth-server の URL（既定：$ISSUER_BASE_URL または http://localhost:4000/）
  --api             worldmappers-api の URL（既定：$WORLDMAPPERS_API_URL または http://localhost:7001）
  --giftdeliveries  giftdeliveries の URL（既定：$GIFTDELIVERIES_URL または http://localhost:7002）
  --own-stack       スタックがすでに起動していても、ラボ専用のスタックを起動する

これらの URL に応答がないときは、ラボがビルド済みの 3 つのサービスを空いているポートで起動し、
終了時に停止します。
`,
};

const ERRORS = {
  en: {
    lang: (value: string) => `--lang must be en or ja, not "${value}"`,
    only: (known: string, value: string) =>
      `--only takes scenario numbers (${known}), not "${value}"`,
  },
  ja: {
    lang: (value: string) =>
      `--lang には en か ja を指定してください（"${value}" が指定されました）`,
    only: (known: string, value: string) =>
      `--only にはシナリオの番号（${known}）を指定してください（"${value}" が指定されました）`,
  },
};

/** Reads the lab's arguments; `scenarios` are the known scenario numbers, in order. */
export function parseLabArgs(argv: readonly string[], scenarios: readonly number[]): LabArgs {
  const guess = langFromArgv(argv);
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        lang: { type: 'string', default: 'en' },
        only: { type: 'string' },
        issuer: { type: 'string' },
        api: { type: 'string' },
        giftdeliveries: { type: 'string' },
        'own-stack': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    return { kind: 'error', message: `${describeArgsError(error, guess)}\n\n${USAGE[guess]}` };
  }
  if (values.lang !== 'en' && values.lang !== 'ja') {
    return { kind: 'error', message: `${ERRORS[guess].lang(values.lang)}\n\n${USAGE[guess]}` };
  }
  const lang: Lang = values.lang;
  if (values.help) return { kind: 'help', text: USAGE[lang] };
  const numbers = values.only
    ? values.only.split(',').map((part) => Number(part.trim()))
    : [...scenarios];
  if (numbers.some((number) => !scenarios.includes(number))) {
    const message = ERRORS[lang].only(scenarios.join(', '), values.only ?? '');
    return { kind: 'error', message: `${message}\n\n${USAGE[lang]}` };
  }
  return {
    kind: 'run',
    options: {
      lang,
      numbers,
      issuer: values.issuer,
      api: values.api,
      giftdeliveries: values.giftdeliveries,
      ownStack: values['own-stack'],
    },
  };
}
