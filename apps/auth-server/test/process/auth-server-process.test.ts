import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, startService } from '@repo/testkit';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/in-process.js';
import { perTest } from '../support/per-test.js';
import { giftdeliveriesToken, kidOf, publishedKids } from '../support/tokens.js';
import { DEMO_CLIENTS } from '@repo/contracts';

const run = promisify(execFile);
const appDir = fileURLToPath(new URL('../..', import.meta.url));

const { defer } = perTest();

/** Runs `node dist/index.js` to its exit; resolves with the exit code and stderr. */
async function runToExit(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, ['dist/index.js'], {
      cwd: appDir,
      env: { PATH: process.env.PATH, ENV_FILE: 'none', PORT: '0', ...env },
      timeout: 15_000,
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

describe('the auth-server process', () => {
  it('serves tokens on PORT for ISSUER with keys in DATA_DIR, picks up a rotation, and stops on SIGTERM', async () => {
    const dataDir = tempDir();
    defer(dataDir.remove);
    const port = await freePort();
    const service = await startService('auth-server', {
      entry: join(appDir, 'dist', 'index.js'),
      port,
      env: { ISSUER: `http://127.0.0.1:${port}/`, DATA_DIR: dataDir.path },
    });
    defer(() => service.stop('SIGKILL'));

    const discovery = (await (
      await fetch(`${service.url}/.well-known/openid-configuration`)
    ).json()) as {
      issuer: string;
    };
    expect(discovery.issuer).toBe(`http://127.0.0.1:${port}/`);
    const before = await giftdeliveriesToken(service.url);

    await run(process.execPath, ['dist/rotate-keys.js'], {
      cwd: appDir,
      env: { PATH: process.env.PATH, ENV_FILE: 'none', DATA_DIR: dataDir.path },
    });
    const after = await giftdeliveriesToken(service.url);
    expect(kidOf(after)).not.toBe(kidOf(before));
    expect(await publishedKids(service.url)).toEqual([kidOf(after), kidOf(before)]);

    await service.waitFor((r) => r.message === 'token issued' && r.kid === kidOf(after));
    expect(await service.stop('SIGTERM')).toBe(0);
    const text = service.lines().join('\n');
    expect(text).not.toContain(before);
    expect(text).not.toContain(DEMO_CLIENTS.giftdeliveries.devSecret);
  });

  it('refuses to start in production with a development secret, naming the variable, without a stack', async () => {
    const dataDir = tempDir();
    defer(dataDir.remove);
    const { code, stderr } = await runToExit({
      NODE_ENV: 'production',
      DATA_DIR: dataDir.path,
      GIFTDELIVERIES_CLIENT_SECRET: DEMO_CLIENTS.giftdeliveries.devSecret,
      STORE_LOCATOR_CLIENT_SECRET: 'x'.repeat(40),
      STOREFRONT_CLIENT_SECRET: 'y'.repeat(40),
    });
    expect(code).toBe(78);
    expect(stderr).toContain(
      'GIFTDELIVERIES_CLIENT_SECRET: is a development secret published in .env.example',
    );
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toContain('x'.repeat(40));
  });

  it('refuses to start in production without a place for persistent keys', async () => {
    const { code, stderr } = await runToExit({
      NODE_ENV: 'production',
      GIFTDELIVERIES_CLIENT_SECRET: 'a'.repeat(40),
      STORE_LOCATOR_CLIENT_SECRET: 'b'.repeat(40),
      STOREFRONT_CLIENT_SECRET: 'c'.repeat(40),
    });
    expect(code).toBe(78);
    expect(stderr).toContain('DATA_DIR: signing keys would be generated in the default ./data');
  });

  it('refuses to start on a broken key file, naming it, without a stack', async () => {
    const dir = tempDir();
    defer(dir.remove);
    writeFileSync(`${dir.path}/keys.json`, 'not json');
    const { code, stderr } = await runToExit({ SIGNING_KEYS_FILE: `${dir.path}/keys.json` });
    expect(code).toBe(78);
    expect(stderr).toBe(
      `auth-server: cannot load the signing keys: ${dir.path}/keys.json is not valid JSON\n`,
    );
  });
});
