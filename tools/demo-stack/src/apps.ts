import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The services of the demo, by their workspace names. */
export type AppName = 'auth-server' | 'worldmappers-api' | 'giftdeliveries' | 'console';

const require = createRequire(import.meta.url);

/** The repository root: the one place tools find it (this package lives in `tools/demo-stack`). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Workspace package names that differ from the service's name (`console` is a Node built-in). */
const PACKAGE_NAMES: Partial<Record<AppName, string>> = { console: 'live-console' };

/** A service's folder, found as Node finds the workspace package of that name. */
export function appDir(name: AppName): string {
  return dirname(require.resolve(`${PACKAGE_NAMES[name] ?? name}/package.json`));
}

/** A built script of a service: its `main` (`dist/index.js`) by default. */
export function appScript(name: AppName, script?: string): string {
  const dir = appDir(name);
  const { main } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { main?: string };
  const relative = script ?? main;
  if (!relative) throw new Error(`${name}/package.json names no "main"`);
  return join(dir, relative);
}
