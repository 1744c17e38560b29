import { z } from 'zod';
import type { CliLang } from './cli-args.js';
import { ConfigError, exitOnConfigError, type ConfigProblem } from './config-error.js';
import { environmentWithDotenv } from './env-file.js';
import { issuerFromAuth0Domain, normalizeIssuer } from './issuer.js';
import { metaOf } from './variables.js';

export interface LoadConfigOptions {
  /** Names the service in the error block. */
  service: string;
  /** Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The `.env` file to read under the environment; `false` reads none. Defaults to the root's. */
  envFile?: string | false;
}

const SECRET_NAME = /secret|password|passwd|token|private|credential|api_?key/i;

function isSecret(variable: string, schema: z.ZodType | undefined): boolean {
  return SECRET_NAME.test(variable) || (schema !== undefined && metaOf(schema)?.secret === true);
}

function describeProblem(
  variable: string,
  schema: z.ZodType | undefined,
  issue: z.core.$ZodIssue,
  raw: string | undefined,
): Pick<ConfigProblem, 'message' | 'ja'> {
  const meta = schema && metaOf(schema);
  const hidden = raw !== undefined && isSecret(variable, schema);
  const example = meta ? `${variable}=${meta.example}` : '';
  let got = ' (not set)';
  let gotJa = '（未設定）';
  if (hidden) [got, gotJa] = [' (value hidden)', '（値は表示しません）'];
  else if (raw !== undefined) [got, gotJa] = [` (got "${raw}")`, `（指定された値："${raw}"）`];
  if (!meta) return { message: `${issue.message}${got}`, ja: `値が正しくありません${gotJa}` };
  return {
    message: `expected ${meta.expected.en}, e.g. ${example}${got}`,
    // A space between a Latin word and the kana after it, as the Japanese pages write.
    ja: `${meta.expected.ja}${/[\w)]$/.test(meta.expected.ja) ? ' ' : ''}を指定してください。例：${example}${gotJa}`,
  };
}

/**
 * `AUTH0_DOMAIN=tenant.eu.auth0.com` is shorthand for `ISSUER_BASE_URL=https://tenant.eu.auth0.com/`;
 * giving both with different values is a mistake worth stopping for.
 */
function applyAuth0Domain(
  shape: z.ZodRawShape,
  raw: Record<string, string | undefined>,
  values: Record<string, unknown>,
  problems: ConfigProblem[],
): void {
  if (!('AUTH0_DOMAIN' in shape) || !('ISSUER_BASE_URL' in shape)) return;
  const domain = values.AUTH0_DOMAIN;
  if (typeof domain !== 'string') return;
  const fromDomain = issuerFromAuth0Domain(domain);
  const explicit = raw.ISSUER_BASE_URL?.trim();
  if (explicit) {
    let normalized: string | undefined;
    try {
      normalized = normalizeIssuer(explicit);
    } catch {
      return; // already reported as an invalid URL
    }
    if (normalized !== fromDomain) {
      problems.push({
        variable: 'AUTH0_DOMAIN',
        message: `means ISSUER_BASE_URL=${fromDomain}, but ISSUER_BASE_URL is ${normalized}; set only one of them`,
        ja: `ISSUER_BASE_URL=${fromDomain} と同じ意味ですが、ISSUER_BASE_URL は ${normalized} です。どちらか一方だけを設定してください`,
      });
    }
    return;
  }
  values.ISSUER_BASE_URL = fromDomain;
}

/**
 * Reads, validates and freezes a service's configuration once, at start-up.
 *
 * Every variable is checked and every problem reported together in a {@link ConfigError}, one line
 * per variable with what was expected and an example. Secret values are never echoed.
 */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  options: LoadConfigOptions,
): Readonly<z.output<z.ZodObject<S>>> {
  const raw = environmentWithDotenv(options.env ?? process.env, options.envFile);
  const values: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];

  for (const [variable, schema] of Object.entries(shape) as [string, z.ZodType][]) {
    const result = schema.safeParse(raw[variable]);
    if (result.success) {
      values[variable] = result.data;
    } else {
      const issue = result.error.issues[0]!;
      problems.push({ variable, ...describeProblem(variable, schema, issue, raw[variable]) });
    }
  }
  applyAuth0Domain(shape, raw, values, problems);

  if (problems.length > 0) throw new ConfigError(options.service, problems);
  return Object.freeze(values) as Readonly<z.output<z.ZodObject<S>>>;
}

/**
 * {@link loadConfig} for a process entry point: on a bad configuration, prints the block of problems
 * (no stack trace, in `options.lang`) to stderr and exits with status 78 (EX_CONFIG).
 */
export function loadConfigOrExit<S extends z.ZodRawShape>(
  shape: S,
  options: LoadConfigOptions & { lang?: CliLang },
): Readonly<z.output<z.ZodObject<S>>> {
  try {
    return loadConfig(shape, options);
  } catch (error) {
    return exitOnConfigError(error, options.lang);
  }
}
