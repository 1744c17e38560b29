import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { appScript, repoRoot } from 'demo-stack';
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
 * A process that reads its configuration through an exported shape: a service (its `configShape`
 * in `dist/config.js`) or a command line tool shipped by an app.
 */
export interface ShapeOwner {
  /** How `.env.example` and the test output name it. */
  name: string;
  /** The app whose build output holds the shape. */
  app: App;
  /** The module, relative to `apps/<app>/dist`, and the name of its exported shape. */
  module: string;
  exportName: string;
  /** The turbo tasks that run it: strict env mode must let its variables through to them. */
  tasks: readonly string[];
}

/** Every reader of the environment with a config shape: the three services and the deliver CLI. */
export const SHAPE_OWNERS: readonly ShapeOwner[] = [
  ...APPS.map((app) => ({
    name: app,
    app,
    module: 'config.js',
    exportName: 'configShape',
    tasks: ['start', 'dev'],
  })),
  {
    name: 'deliver CLI',
    app: 'giftdeliveries',
    module: 'cli/cli-config.js',
    exportName: 'cliShape',
    // `npm run deliver` runs it outside turbo (scripts/run-built.sh): it sees the whole environment.
    tasks: [],
  },
];

/**
 * A shape from its owner's build output (e.g. `apps/<app>/dist/config.js`): the list of variables
 * it really reads. The e2e workspace depends on the apps, so turbo builds them first.
 */
export async function loadShape(owner: ShapeOwner): Promise<ConfigShape> {
  const path = appScript(owner.app, join('dist', owner.module));
  const module = (await import(pathToFileURL(path).href)) as Record<
    string,
    ConfigShape | undefined
  >;
  const shape = module[owner.exportName];
  if (!shape) throw new Error(`${path} exports no ${owner.exportName}`);
  return shape;
}

/** An app's exported `configShape` (`apps/<app>/dist/config.js`). */
export function loadConfigShape(app: App): Promise<ConfigShape> {
  return loadShape(SHAPE_OWNERS.find((owner) => owner.name === app)!);
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
  registry: {
    clients: readonly { secretEnv?: string; publicKeys?: { jwksFileEnv?: string } }[];
  };
}

/**
 * Every variable a shape owner reads: its shape, and for auth-server also the client secrets (and
 * private_key_jwt clients' JWKS files) its registry names (read by name from the registry, not declared in the shape).
 */
export async function variablesReadByOwner(owner: ShapeOwner): Promise<string[]> {
  const names = Object.keys(await loadShape(owner));
  if (owner.name === 'auth-server') {
    const url = pathToFileURL(appScript('auth-server', 'dist/registry.js')).href;
    const { registry } = (await import(url)) as AuthServerRegistry;
    for (const client of registry.clients) {
      if (client.secretEnv) names.push(client.secretEnv);
      if (client.publicKeys?.jwksFileEnv) names.push(client.publicKeys.jwksFileEnv);
    }
  }
  return names;
}

/** Every variable an app's service reads (its `configShape`, and auth-server's client secrets). */
export function variablesReadBy(app: App): Promise<string[]> {
  return variablesReadByOwner(SHAPE_OWNERS.find((owner) => owner.name === app)!);
}
