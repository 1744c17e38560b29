import { execFile } from 'node:child_process';
import { join } from 'node:path';

/**
 * Runs one of the built CLIs (`dist/cli/<name>.js`) with only PATH, no .env file and `env`;
 * resolves with its exit code and output.
 */
export function runCli(
  name: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli', `${name}.js`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { PATH: process.env.PATH, ENV_FILE: 'none', ...env }, timeout: 20_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}
