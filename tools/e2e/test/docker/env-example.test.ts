import { join } from 'node:path';
import { loadConfig } from '@repo/config';
import { describe, expect, it } from 'vitest';
import {
  envFileAssignments,
  loadShape,
  readRepoFile,
  repoRoot,
  SHAPE_OWNERS,
  variablesReadByOwner,
} from '../../src/index.js';
import { DEV_CLIENT_SECRETS } from '@repo/contracts';

const example = envFileAssignments(readRepoFile('.env.example'));
const documented = new Set(example.map((line) => line.name));

describe('.env.example', () => {
  it('documents every variable any app reads, the deliver CLI included', async () => {
    for (const owner of SHAPE_OWNERS) {
      const missing = (await variablesReadByOwner(owner)).filter((name) => !documented.has(name));
      expect({ owner: owner.name, missing }).toEqual({ owner: owner.name, missing: [] });
    }
  });

  it('documents no variable that no app reads', async () => {
    const read = new Set((await Promise.all(SHAPE_OWNERS.map(variablesReadByOwner))).flat());
    expect([...documented].filter((name) => !read.has(name))).toEqual([]);
  });

  it('changes nothing when copied unchanged to .env: its active lines are the defaults', async () => {
    for (const owner of SHAPE_OWNERS) {
      const shape = await loadShape(owner);
      const service = owner.name;
      const withExample = loadConfig(shape, {
        service,
        env: {},
        envFile: join(repoRoot, '.env.example'),
      });
      const withNothing = loadConfig(shape, { service, env: {}, envFile: false });
      expect({ service, config: withExample }).toEqual({ service, config: withNothing });
    }
    const active = Object.fromEntries(
      example.filter((line) => line.active).map((line) => [line.name, line.value]),
    );
    for (const [name, secret] of Object.entries(DEV_CLIENT_SECRETS)) {
      expect({ name, value: active[name] }).toEqual({ name, value: secret });
    }
  });

  it('shows only values the apps accept, the commented-out examples included', async () => {
    for (const owner of SHAPE_OWNERS) {
      const shape = await loadShape(owner);
      for (const line of example) {
        const schema = shape[line.name];
        if (!schema) continue;
        const value = line.value.replace(/^"(.*)"$/, '$1');
        expect({ owner: owner.name, line: line.line, ok: schema.safeParse(value).success }).toEqual(
          { owner: owner.name, line: line.line, ok: true },
        );
      }
    }
  });

  it('lists each variable under a service or tool that reads it', async () => {
    const text = readRepoFile('.env.example');
    const lines = text.split('\n');
    // A section's heading is the line between two `# ----` rules, e.g. `# deliver CLI: …`.
    const isRule = (index: number) => lines[index]?.startsWith('# ----') ?? false;
    const sectionOf = (lineNumber: number) => {
      for (let index = lineNumber - 1; index > 0; index -= 1) {
        if (isRule(index - 1) && isRule(index + 1)) return lines[index]!;
      }
      return '';
    };
    // A variable read by several (ISSUER_BASE_URL, TOKEN_AUTH_METHOD…) is documented once, under
    // any one of its readers.
    const readers = new Map<string, string[]>();
    for (const owner of SHAPE_OWNERS) {
      for (const name of await variablesReadByOwner(owner)) {
        readers.set(name, [...(readers.get(name) ?? []), owner.name]);
      }
    }
    for (const [name, owners] of readers) {
      const sections = example.filter((line) => line.name === name).map((l) => sectionOf(l.line));
      const ok = sections.some(
        (section) =>
          owners.some((owner) => section.startsWith(`# ${owner}:`)) ||
          section.startsWith('# All services') ||
          section.startsWith('# An external'),
      );
      expect({ name, owners, ok }).toEqual({ name, owners, ok: true });
    }
  });
});

/** The variables strict env mode lets through to a task: global, the task's own, pass-through. */
function turboVisible(task: string, app: string): (name: string) => boolean {
  interface TurboTask {
    env?: string[];
    passThroughEnv?: string[];
  }
  const turbo = JSON.parse(readRepoFile('turbo.json')) as {
    globalPassThroughEnv?: string[];
    tasks: Record<string, TurboTask | undefined>;
  };
  const own = turbo.tasks[`${app}#${task}`] ?? turbo.tasks[task];
  const patterns = [
    ...(turbo.globalPassThroughEnv ?? []),
    ...(own?.env ?? []),
    ...(own?.passThroughEnv ?? []),
  ];
  // turbo's wildcards: `*` matches any run of characters, a leading `!` excludes.
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const toRegExp = (pattern: string) =>
    new RegExp(`^${pattern.replace(/^!/, '').split('*').map(escape).join('.*')}$`);
  const include = patterns.filter((p) => !p.startsWith('!')).map(toRegExp);
  const exclude = patterns.filter((p) => p.startsWith('!')).map(toRegExp);
  return (name) => include.some((re) => re.test(name)) && !exclude.some((re) => re.test(name));
}

describe('turbo.json (envMode strict)', () => {
  it('hashes no runtime setting into any task: builds never depend on how the apps are run', () => {
    const turbo = JSON.parse(readRepoFile('turbo.json')) as {
      globalEnv?: unknown;
      tasks: Record<string, { env?: unknown }>;
    };
    expect(turbo.globalEnv).toBeUndefined();
    expect(Object.entries(turbo.tasks).filter(([, task]) => task.env !== undefined)).toEqual([]);
  });

  it('lets every variable an app or the deliver CLI reads through to the tasks that run it', async () => {
    for (const owner of SHAPE_OWNERS) {
      const read = await variablesReadByOwner(owner);
      for (const task of owner.tasks) {
        const visible = turboVisible(task, owner.app);
        const hidden = read.filter((name) => !visible(name));
        expect({ owner: owner.name, task, hidden }).toEqual({
          owner: owner.name,
          task,
          hidden: [],
        });
      }
    }
  });

  it('defines every task that runs an app or the deliver CLI', () => {
    const turbo = JSON.parse(readRepoFile('turbo.json')) as { tasks: Record<string, unknown> };
    for (const owner of SHAPE_OWNERS) {
      for (const task of owner.tasks) {
        const defined = task in turbo.tasks || `${owner.app}#${task}` in turbo.tasks;
        expect({ owner: owner.name, task, defined }).toEqual({
          owner: owner.name,
          task,
          defined: true,
        });
      }
    }
  });
});
