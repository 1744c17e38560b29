/**
 * What the command-line tools (`npm run lab`, `npm run deliver`) share about their arguments: the
 * language asked for, known before the arguments are parsed (so that even a parse error is said in
 * it), and node's parseArgs errors said in that language.
 */
export type CliLang = 'en' | 'ja';

/** The value of `--lang` in `argv` (`--lang ja` or `--lang=ja`), the last one winning; else `fallback`. */
export function langFromArgv(argv: readonly string[], fallback: CliLang = 'en'): CliLang {
  let lang: string | undefined;
  argv.forEach((arg, index) => {
    if (arg === '--') return;
    if (arg === '--lang') lang = argv[index + 1];
    else if (arg.startsWith('--lang=')) lang = arg.slice('--lang='.length);
  });
  return lang === 'en' || lang === 'ja' ? lang : fallback;
}

const quoted = (message: string) => /'([^']*)'/.exec(message)?.[1] ?? '';

/** A parseArgs error (unknown option, missing or unexpected value, stray argument) in `lang`. */
export function describeArgsError(error: unknown, lang: CliLang): string {
  const { code, message } = error as { code?: string; message: string };
  if (lang === 'en') return message;
  const name = quoted(message);
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `不明なオプションです：${name}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return message.includes('does not take an argument')
        ? `${name} には値を付けられません`
        : `${name.replace(/ <value>$/, '')} には値が必要です`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `不要な引数です：${name}`;
    default:
      return `引数を読み取れません（${message}）`;
  }
}
