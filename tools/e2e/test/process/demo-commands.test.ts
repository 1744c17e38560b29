/**
 * The demo's commands with arguments (`npm run lab -- …`, `npm run deliver -- …`) run without
 * rebuilding anything when nothing changed, print no build output, and leave every built file of
 * the apps as it was, so that a demo running meanwhile is not disturbed.
 */
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
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

async function npmRun(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
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
      await npmRun(['lab', '--', '--only', '12']),
      await npmRun(['lab', '--', '--lang', 'ja', '--only', '13']),
    ];
    expect(runs.map((r) => r.code)).toEqual([0, 2, 2]);
    for (const { output } of runs) {
      expect(output).not.toMatch(/cache miss|tsc |Tasks: /);
    }
    expect(runs[0]!.output).toContain('Usage: npm run deliver');
    expect(runs[1]!.output).toContain('--only takes scenario numbers from 1 to 10');
    const after = builtFiles();
    const changed = [...before].filter(([path, time]) => after.get(path) !== time);
    expect(changed).toEqual([]);
  }, 240_000);
});
