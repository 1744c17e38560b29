/** One thing wrong with one variable. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Every problem of a configuration at once; the message is the block printed at start-up. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly service: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      [
        `${service}: invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):`,
        ...problems.map((p) => `  - ${p.variable}: ${p.message}`),
        'Set these variables in the environment or in the .env file at the repository root (see .env.example).',
      ].join('\n'),
    );
  }
}
