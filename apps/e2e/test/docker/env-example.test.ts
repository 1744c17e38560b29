import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '@repo/config';
import { describe, expect, it } from 'vitest';
import {
  APPS,
  envFileAssignments,
  loadConfigShape,
  readRepoFile,
  repoRoot,
  variablesReadBy,
} from '../../src/index.js';

const example = envFileAssignments(readRepoFile('.env.example'));
const documented = new Set(example.map((line) => line.name));

describe('.env.example', () => {
  it('documents every variable any app reads', async () => {
    for (const app of APPS) {
      const missing = (await variablesReadBy(app)).filter((name) => !documented.has(name));
      expect({ app, missing }).toEqual({ app, missing: [] });
    }
  });

  it('documents no variable that no app reads', async () => {
    const read = new Set((await Promise.all(APPS.map(variablesReadBy))).flat());
    expect([...documented].filter((name) => !read.has(name))).toEqual([]);
  });

  it('changes nothing when copied unchanged to .env: its active lines are the defaults', async () => {
    for (const app of APPS) {
      const shape = await loadConfigShape(app);
      const withExample = loadConfig(shape, {
        service: app,
        env: {},
        envFile: join(repoRoot, '.env.example'),
      });
      const withNothing = loadConfig(shape, { service: app, env: {}, envFile: false });
      expect({ app, config: withExample }).toEqual({ app, config: withNothing });
    }
    const url = pathToFileURL(join(repoRoot, 'apps/auth-server/dist/dev-secrets.js')).href;
    const { DEV_CLIENT_SECRETS } = (await import(url)) as {
      DEV_CLIENT_SECRETS: Record<string, string>;
    };
    const active = Object.fromEntries(
      example.filter((line) => line.active).map((line) => [line.name, line.value]),
    );
    for (const [name, secret] of Object.entries(DEV_CLIENT_SECRETS)) {
      expect({ name, value: active[name] }).toEqual({ name, value: secret });
    }
  });

  it('shows only values the apps accept, the commented-out examples included', async () => {
    for (const app of APPS) {
      const shape = await loadConfigShape(app);
      for (const line of example) {
        const schema = shape[line.name];
        if (!schema) continue;
        const value = line.value.replace(/^"(.*)"$/, '$1');
        expect({ app, line: line.line, ok: schema.safeParse(value).success }).toEqual({
          app,
          line: line.line,
          ok: true,
        });
      }
    }
  });

  it('lists each variable under the service that reads it', async () => {
    const text = readRepoFile('.env.example');
    const lines = text.split('\n');
    // A section's heading is the line between two `# ----` rules.
    const isRule = (index: number) => lines[index]?.startsWith('# ----') ?? false;
    const sectionOf = (lineNumber: number) => {
      for (let index = lineNumber - 1; index > 0; index -= 1) {
        if (isRule(index - 1) && isRule(index + 1)) return lines[index]!;
      }
      return '';
    };
    for (const app of APPS) {
      const names = await variablesReadBy(app);
      for (const name of names) {
        const sections = example.filter((line) => line.name === name).map((l) => sectionOf(l.line));
        const ok = sections.some(
          (section) =>
            section.startsWith(`# ${app}:`) ||
            section.startsWith('# All services') ||
            // Shared by both users of the issuer; documented once, under worldmappers-api.
            (name === 'ISSUER_BASE_URL' && section.startsWith('# worldmappers-api:')) ||
            section.startsWith('# An external'),
        );
        expect({ app, name, ok }).toEqual({ app, name, ok: true });
      }
    }
  });
});
