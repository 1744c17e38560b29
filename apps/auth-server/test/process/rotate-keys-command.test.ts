import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { perTest } from '../support/per-test.js';
import { giftdeliveriesToken, jwksOf, kidOf, publishedKids } from '../support/tokens.js';

const run = promisify(execFile);
const appDir = fileURLToPath(new URL('../..', import.meta.url));

const { start, newDataDir } = perTest();

describe('the rotate-keys command', () => {
  it('rotate with the rotate-keys command while the server runs: both keys published, new tokens carry the new kid', async () => {
    const dataDir = newDataDir();
    const server = await start({ dataDir });
    const before = await giftdeliveriesToken(server.url);

    const { stdout } = await run(process.execPath, ['dist/rotate-keys.js'], {
      cwd: appDir,
      env: { PATH: process.env.PATH, ENV_FILE: 'none', DATA_DIR: dataDir },
    });
    const newKid = /signs from now on: (\S+)/.exec(stdout)?.[1];
    expect(newKid).toBeDefined();
    expect(newKid).not.toBe(kidOf(before));
    expect(stdout).toContain(`retired, still published until`);

    const after = await giftdeliveriesToken(server.url);
    expect(kidOf(after)).toBe(newKid);
    expect(await publishedKids(server.url)).toEqual([newKid, kidOf(before)]);
    const jwks = await jwksOf(server.url);
    for (const token of [before, after]) {
      await expect(jwtVerify(token, jwks, { issuer: server.issuer })).resolves.toBeDefined();
    }
    expect(server.logs).toContainEqual(
      expect.objectContaining({ message: 'signing keys changed', signing_kid: newKid }),
    );
  });
});
