import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, parseDocument, visit, YAMLMap } from 'yaml';

/** A parsed Compose file: plain data, as YAML gives it (before interpolation). */
export type ComposeFile = Record<string, unknown>;

/** The part of a service definition these checks read. */
export interface ComposeService {
  build?: { context?: string; dockerfile?: string } | string;
  ports?: (string | number | Record<string, unknown>)[];
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: (string | Record<string, unknown>)[];
  depends_on?: string[] | Record<string, { condition?: string; required?: boolean }>;
  healthcheck?: { test?: string | string[]; interval?: string; start_period?: string };
  profiles?: string[];
  [key: string]: unknown;
}

const RESET = '$compose-reset';
const OVERRIDE = '$compose-override';

/**
 * Parses a Compose file. The merge tags of Compose 2.24+ (`!reset`, `!override`) are kept as
 * markers that {@link mergeCompose} understands; the file itself is returned otherwise untouched.
 */
export function readCompose(file: string): ComposeFile {
  // `merge`: YAML merge keys (`<<: *anchor`), which Compose resolves too.
  const document = parseDocument(readFileSync(file, 'utf8'), { merge: true });
  if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
  visit(document, {
    Pair(_key, pair) {
      const value = pair.value;
      if (!(isMap(value) || isSeq(value) || isScalar(value))) return;
      if (value.tag === '!reset') {
        value.tag = undefined;
        const marker = new YAMLMap();
        marker.set(RESET, true);
        pair.value = marker;
      } else if (value.tag === '!override') {
        value.tag = undefined;
        const marker = new YAMLMap();
        marker.set(OVERRIDE, value);
        pair.value = marker;
      }
    },
  });
  return document.toJS() as ComposeFile;
}

/**
 * The schema validates files as written; the tags' markers are replaced by what they stand for
 * (`!reset` by an empty value, `!override` by its content) so a fragment validates like a file.
 */
export function withoutMergeTags(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMergeTags);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (RESET in record) return {};
    if (OVERRIDE in record) return withoutMergeTags(record[OVERRIDE]);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, withoutMergeTags(v)]));
  }
  return value;
}

/**
 * Merges an override file into a base the way `docker compose -f base -f override` does for the
 * shapes used here: mappings merge key by key, sequences are appended without duplicates, scalars
 * are replaced, `!reset` removes a value and `!override` replaces it whole.
 */
export function mergeCompose(base: unknown, override: unknown): unknown {
  if (override && typeof override === 'object' && !Array.isArray(override)) {
    const record = override as Record<string, unknown>;
    if (RESET in record) return undefined;
    if (OVERRIDE in record) return withoutMergeTags(record[OVERRIDE]);
    const result: Record<string, unknown> =
      base && typeof base === 'object' && !Array.isArray(base)
        ? { ...(base as Record<string, unknown>) }
        : {};
    for (const [key, value] of Object.entries(record)) {
      const merged = mergeCompose(result[key], value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
    return result;
  }
  if (Array.isArray(override) && Array.isArray(base)) {
    const seen = new Set(base.map((item) => JSON.stringify(item)));
    return [...base, ...override.filter((item) => !seen.has(JSON.stringify(item)))];
  }
  return withoutMergeTags(override);
}

/** The services of a (merged) Compose file. */
export function servicesOf(compose: ComposeFile): Record<string, ComposeService> {
  return (compose.services ?? {}) as Record<string, ComposeService>;
}

/**
 * Compose's variable interpolation (`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `${VAR:+alternative}`, `${VAR+alternative}`, `$$`), defaults
 * themselves interpolated. `env` plays the shell environment plus the project's `.env`.
 *
 * @see https://docs.docker.com/reference/compose-file/interpolation/
 */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char !== '$') {
      out += char;
      i += 1;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      let depth = 1;
      let j = i + 2;
      while (j < text.length && depth > 0) {
        if (text[j] === '{') depth += 1;
        else if (text[j] === '}') depth -= 1;
        j += 1;
      }
      if (depth !== 0) throw new Error(`unterminated variable in "${text}"`);
      out += expand(text.slice(i + 2, j - 1), env);
      i = j;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0];
    if (name) {
      out += env[name] ?? '';
      i += 1 + name.length;
    } else {
      out += '$';
      i += 1;
    }
  }
  return out;
}

function expand(body: string, env: Record<string, string | undefined>): string {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
  if (!match) throw new Error(`invalid variable "\${${body}}"`);
  const [, name, operator, argument = ''] = match;
  const value = env[name!];
  const unsetOrEmpty = value === undefined || value === '';
  const missing = operator?.startsWith(':') ? unsetOrEmpty : value === undefined;
  switch (operator) {
    case undefined:
      return value ?? '';
    case ':-':
    case '-':
      return missing ? interpolate(argument, env) : value!;
    case ':?':
    case '?':
      if (missing) throw new Error(`required variable ${name} is missing a value: ${argument}`);
      return value!;
    default: // ':+' and '+'
      return missing ? '' : interpolate(argument, env);
  }
}

/** Every `${NAME…}` and `$NAME` a text refers to, defaults included. */
export function variablesIn(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.replaceAll('$$', '').matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
    names.add(match[1]!);
  }
  return [...names];
}

/** A service's environment as its process would see it, after interpolation with `env`. */
export function serviceEnvironment(
  service: ComposeService,
  env: Record<string, string | undefined> = {},
): Record<string, string> {
  const entries: [string, string][] = [];
  const raw = service.environment ?? {};
  if (Array.isArray(raw)) {
    for (const item of raw) {
      const [key, ...rest] = interpolate(item, env).split('=');
      // `- KEY` without a value takes the value from the environment, or is left out.
      const value = rest.length > 0 ? rest.join('=') : env[key!];
      if (value !== undefined) entries.push([key!, value]);
    }
  } else {
    for (const [key, value] of Object.entries(raw)) {
      if (value === null || value === undefined) {
        const inherited = env[key];
        if (inherited !== undefined) entries.push([key, inherited]);
      } else {
        entries.push([key, interpolate(String(value), env)]);
      }
    }
  }
  return Object.fromEntries(entries);
}

/** The `condition` of each service this one depends on. */
export function dependenciesOf(service: ComposeService): Record<string, string> {
  const raw = service.depends_on ?? {};
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((name) => [name, 'service_started']));
  return Object.fromEntries(
    Object.entries(raw).map(([name, spec]) => [name, spec.condition ?? 'service_started']),
  );
}
