/**
 * The demo's commands with arguments (`npm run lab -- …`, `npm run deliver -- …`) run without
 * rebuilding anything when nothing changed, print no build output, and leave every built file of
 * the apps as it was, so that a demo running meanwhile is not disturbed (scripts/run-built.sh).
 */
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appScript, startDemoStack, type DemoStack } from 'demo-stack';
import { repoRoot } from '../../src/workspace.js';

const run = promisify(execFile);

/** Modification time of every file under each app's dist/, by path. */
function builtFiles(): Map<string, number> {
  const times = new Map<string, number>();
  for (const app of ['auth-server', 'worldmappers-api', 'giftdeliveries']) {
    const dist = join(repoRoot, 'apps', app, 'dist');
    for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      times.set(path, statSync(path).mtimeMs);
    }
  }
  return times;
}

/**
 * The environment a user runs the demo commands in: without TURBO_FORCE, which the second pass of
 * .ci/run sets for its own builds and which would make every build task a miss.
 */
const demoEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
delete demoEnv.TURBO_FORCE;

async function npmRun(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', ...args], {
      cwd: repoRoot,
      env: demoEnv,
      timeout: 120_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('the demo commands with new arguments', () => {
  it('rebuild nothing, print no build output and rewrite no built file', async () => {
    // The first call may build (this workspace's own build ran just before, so it should not).
    await npmRun(['deliver', '--', '--help']);
    const before = builtFiles();
    const runs = [
      await npmRun(['deliver', '--', `Place ${Date.now()}`, '--help']),
      await npmRun(['lab', '--', '--only', '98']),
      await npmRun(['lab', '--', '--lang', 'ja', '--only', '99']),
      await npmRun(['keys:client', '--', '--help']),
    ];
    expect(runs.map((r) => r.code)).toEqual([0, 2, 2, 0]);
    for (const { output } of runs) {
      expect(output).not.toMatch(/cache miss|tsc |Tasks: /);
    }
    expect(runs[0]!.output).toContain('Usage: npm run deliver');
    expect(runs[1]!.output).toMatch(/--only takes scenario numbers \(1, 2, [\d, ]+\), not "98"/);
    expect(runs[3]!.output).toContain('--rotate        add a new key pair');
    const after = builtFiles();
    const changed = [...before].filter(([path, time]) => after.get(path) !== time);
    expect(changed).toEqual([]);
  }, 240_000);
});

describe('the build cache', () => {
  it('is the same whatever runtime settings the caller has: LOG_LEVEL, PORT, ISSUER', async () => {
    const hashes = async (env: Record<string, string>) => {
      const { stdout } = await run(
        'npx',
        ['turbo', 'run', 'build', '--filter=./apps/giftdeliveries', '--dry=json'],
        { cwd: repoRoot, env: { ...demoEnv, ...env }, maxBuffer: 16 * 1024 * 1024 },
      );
      const { tasks } = JSON.parse(stdout) as { tasks: { taskId: string; hash: string }[] };
      return tasks.map((task) => `${task.taskId} ${task.hash}`);
    };
    const plain = await hashes({});
    expect(plain.length).toBeGreaterThan(3);
    expect(
      await hashes({ LOG_LEVEL: 'debug', PORT: '1234', ISSUER: 'http://127.0.0.1:1/' }),
    ).toEqual(plain);
  }, 60_000);
});

describe('npm run deliver --lang ja', () => {
  let stack: DemoStack | undefined;
  beforeAll(async () => {
    stack = await startDemoStack();
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  async function deliver(
    args: string[],
    env: Record<string, string> = {},
  ): Promise<{ code: number; output: string }> {
    const gifts = stack!.get('giftdeliveries').url;
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        [appScript('giftdeliveries', 'dist/cli/deliver.js'), ...args, '--url', gifts],
        {
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            ENV_FILE: 'none',
            ISSUER_BASE_URL: stack!.issuer,
            ...env,
          },
          timeout: 90_000,
        },
      );
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
    }
  }

  it('follows a delivery until it is planned, speaking Japanese', async () => {
    const { code, output } = await deliver(['Kyoto, JP', '--recipient', 'Yuki', '--lang', 'ja']);
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output).toMatch(/storefront のトークンを取得しました（sha256:[0-9a-f]{8}、スコープ "/);
    expect(output).toMatch(/配送 \S+ を受け付けました：Kyoto, JP の Yuki さんへ/);
    expect(output).toMatch(/配送 \S+ が計画されました/);
    expect(output).toMatch(/Rovaniemi, FI → Kyoto, JP（road）：[\d,]+ km、\d+ 時間 \d+ 分/);
    expect(output).not.toMatch(/obtained|accepted|planned\b|\bby road/);
  }, 120_000);

  it('follows a delivery with TOKEN_BINDING=dpop: a DPoP-bound storefront token, a proof per call', async () => {
    const { code, output } = await deliver(['Oulu, FI', '--recipient', 'Aino'], {
      TOKEN_BINDING: 'dpop',
    });
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output).toMatch(/Rovaniemi, FI → Oulu, FI/);
    const audits = stack!
      .get('giftdeliveries')
      .records()
      .filter((r) => r.audit === true && r.clientId === 'storefront');
    expect(audits.length).toBeGreaterThan(1);
    expect(audits.every((r) => r.decision === 'allow')).toBe(true);
    // Its token was bound: the auth-server issued a DPoP token to storefront.
    expect(stack!.get('auth-server').records()).toContainEqual(
      expect.objectContaining({
        message: 'token issued',
        client_id: 'storefront',
        token_type: 'DPoP',
      }),
    );
  }, 120_000);

  it('refuses an unknown language and a missing recipient in the chosen language', async () => {
    expect(await deliver(['Kyoto, JP', '--recipient', 'Yuki', '--lang', 'fr'])).toMatchObject({
      code: 2,
      output: expect.stringContaining('--lang must be en or ja, not "fr"'),
    });
    expect(await deliver(['Kyoto, JP', '--lang', 'ja'])).toMatchObject({
      code: 2,
      output: expect.stringContaining('--recipient（受取人）を指定してください'),
    });
  }, 60_000);
});
