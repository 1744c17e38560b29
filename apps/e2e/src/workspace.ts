import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '@repo/testkit';
import type { z } from '@repo/config';

/** The apps that compose runs, in the order the README lists them. */
export const APPS = ['auth-server', 'worldmappers-api', 'giftdeliveries'] as const;
export type App = (typeof APPS)[number];

export { repoRoot };

/** A file of the repository, read as text. */
export function readRepoFile(...path: string[]): string {
  return readFileSync(join(repoRoot, ...path), 'utf8');
}

/** A config shape as the apps export it: variable name → zod schema. */
export type ConfigShape = Record<string, z.ZodType>;

/**
 * An app's exported `configShape`, from its build output (`apps/<app>/dist/config.js`): the list of
 * variables it really reads. The e2e workspace depends on the apps, so turbo builds them first.
 */
export async function loadConfigShape(app: App): Promise<ConfigShape> {
  const url = pathToFileURL(join(repoRoot, 'apps', app, 'dist', 'config.js')).href;
  const module = (await import(url)) as { configShape?: ConfigShape };
  if (!module.configShape) throw new Error(`apps/${app}/dist/config.js exports no configShape`);
  return module.configShape;
}

/** One `NAME=value` line of an env file, active or commented out (`# NAME=value`). */
export interface EnvLine {
  name: string;
  value: string;
  active: boolean;
  line: number;
}

/** The assignments of an env file such as `.env.example`, the commented-out ones included. */
export function envFileAssignments(text: string): EnvLine[] {
  return text.split('\n').flatMap((raw, index) => {
    const match = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(raw.trim());
    if (!match) return [];
    return [{ name: match[2]!, value: match[3]!, active: !match[1], line: index + 1 }];
  });
}

interface AuthServerRegistry {
  registry: { clients: readonly { secretEnv: string }[] };
}

/**
 * Every variable an app reads: its exported `configShape`, and for auth-server also the client
 * secrets its registry names (read by name from the registry, not declared in the shape).
 */
export async function variablesReadBy(app: App): Promise<string[]> {
  const names = Object.keys(await loadConfigShape(app));
  if (app === 'auth-server') {
    const url = pathToFileURL(join(repoRoot, 'apps/auth-server/dist/registry.js')).href;
    const { registry } = (await import(url)) as AuthServerRegistry;
    names.push(...registry.clients.map((client) => client.secretEnv));
  }
  return names;
}
