import type { CliLang } from './cli-args.js';

/** One thing wrong with one variable. */
export interface ConfigProblem {
  variable: string;
  message: string;
  /** The same in Japanese, for the command-line tools' `--lang ja`; `message` when absent. */
  ja?: string;
}

/** Every problem of a configuration at once; the message is the block printed at start-up. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly service: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(describeConfigProblems(service, problems, 'en'));
  }

  /** The block of problems in `lang` (the message is the English one). */
  describe(lang: CliLang): string {
    return describeConfigProblems(this.service, this.problems, lang);
  }
}

function describeConfigProblems(
  service: string,
  problems: readonly ConfigProblem[],
  lang: CliLang,
): string {
  const count = problems.length;
  if (lang === 'ja') {
    return [
      `${service}：設定に誤りが ${count} 件あります。`,
      ...problems.map((p) => `  - ${p.variable}：${p.ja ?? p.message}`),
      'これらの変数は、環境変数か、リポジトリのルートにある .env ファイルで設定します（.env.example を参照）。',
    ].join('\n');
  }
  return [
    `${service}: invalid configuration (${count} problem${count === 1 ? '' : 's'}):`,
    ...problems.map((p) => `  - ${p.variable}: ${p.message}`),
    'Set these variables in the environment or in the .env file at the repository root (see .env.example).',
  ].join('\n');
}

/**
 * For a process entry point: a {@link ConfigError} is printed in `lang` (no stack trace) to
 * stderr and the process exits with status 78 (EX_CONFIG); any other error is thrown again.
 */
export function exitOnConfigError(error: unknown, lang: CliLang = 'en'): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.describe(lang)}\n`);
    process.exit(78);
  }
  throw error;
}
