import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'deliver.js');

/** Runs the built CLI; argument errors exit before any configuration or network is touched. */
function deliver(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { PATH: process.env.PATH, ENV_FILE: 'none' }, timeout: 20_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

describe('npm run deliver arguments', () => {
  it.each([
    [['--bogus'], /^deliver: Unknown option '--bogus'.*\n\nUsage: /s],
    [['--lang', 'fr', 'Kyoto'], /^deliver: --lang must be en or ja, not "fr"\n\nUsage: /],
    [['Kyoto'], /^deliver: --recipient is required\n\nUsage: /],
  ])('refuses %j in English with exit code 2 and the usage', async (args, stderr) => {
    const result = await deliver(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(stderr);
  });

  it.each([
    [['--lang', 'ja', '--bogus'], '不明なオプションです：--bogus'],
    [['--bogus', '--lang=ja'], '不明なオプションです：--bogus'],
    [['--lang', 'ja', '--recipient'], '-r, --recipient には値が必要です'],
    [['--lang', 'ja', 'Kyoto'], '--recipient（受取人）を指定してください'],
    [['--lang', 'ja', '--recipient', 'Yuki'], '届け先を指定してください'],
  ])('refuses %j in Japanese with exit code 2 and the Japanese usage', async (args, first) => {
    const result = await deliver(args);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`deliver: ${first}`);
    expect(result.stderr).toContain('\n\n使い方：npm run deliver -- ');
    expect(result.stderr).not.toMatch(/\b(Unknown|Option|Usage|required|must)\b/);
  });

  it('prints the Japanese usage for --help --lang ja', async () => {
    const result = await deliver(['--help', '--lang', 'ja']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^使い方：npm run deliver -- <届け先> --recipient <受取人>/);
  });
});
