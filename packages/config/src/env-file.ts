import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'dotenv';

/**
 * The repository root: the nearest folder, from `start` upwards, whose package.json declares
 * workspaces. Falls back to `start` itself (a pruned Docker image has no workspace root above it).
 */
export function findRepositoryRoot(start: string = process.cwd()): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
        if (parsed.workspaces) return dir;
      } catch {
        // An unreadable manifest is not a root; keep climbing.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
}

/**
 * The root `.env`, or the file named by `ENV_FILE` (`ENV_FILE=none` reads no file: tests use it so
 * that a developer's `.env` cannot leak into them).
 */
export function defaultEnvFile(env: NodeJS.ProcessEnv): string | false {
  const named = env.ENV_FILE?.trim();
  if (named === 'none') return false;
  return named || join(findRepositoryRoot(), '.env');
}

/**
 * Variables from the root `.env`, if there is one, under the real environment: a variable set in
 * the environment always wins over the file.
 */
export function environmentWithDotenv(
  env: NodeJS.ProcessEnv,
  envFile: string | false = defaultEnvFile(env),
): Record<string, string | undefined> {
  if (envFile === false || !existsSync(envFile)) return { ...env };
  const fromFile = parse(readFileSync(envFile));
  return { ...fromFile, ...env };
}
