import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'keys-client-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const keysClient = (args: string[]) => runCli('keys-client', args);

describe('npm run keys:client', () => {
  it('rotates, names each old kid to retire with "=", and retires a kid that begins with "-"', async () => {
    const jwks = join(dir, 'c.jwks.json');
    // A kid is a base64url thumbprint: one in 64 begins with "-".
    const dashed = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: '-dashed-kid' };
    writeFileSync(jwks, JSON.stringify({ keys: [dashed] }));

    const rotated = await keysClient(['--client', 'c', '--out', dir, '--jwks', jwks, '--rotate']);
    expect(rotated.code).toBe(0);
    expect(rotated.stderr).toContain(
      '\n    npm run keys:client -- --client c --retire=-dashed-kid\n',
    );
    const newKid = (JSON.parse(rotated.stdout) as { keys: { kid: string }[] }).keys[0]!.kid;

    const retired = await keysClient(['--client', 'c', '--jwks', jwks, '--retire=-dashed-kid']);
    expect(retired.code).toBe(0);
    expect(retired.stderr).toBe(`retired -dashed-kid; public JWKS: ${jwks}\n`);
    const kept = JSON.parse(readFileSync(jwks, 'utf8')) as { keys: { kid: string }[] };
    expect(kept.keys.map((key) => key.kid)).toEqual([newKid]);
  });
});
