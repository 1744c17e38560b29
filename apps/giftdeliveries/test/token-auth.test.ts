import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@repo/config';
import { generateClientKey } from '@repo/token-client';
import { loadTokenAuth, type TokenAuthInput } from '../src/token-auth.js';

const dir = mkdtempSync(join(tmpdir(), 'token-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const names = {
  method: 'TOKEN_AUTH_METHOD',
  keyFile: 'CLIENT_PRIVATE_KEY_FILE',
  alg: 'CLIENT_ASSERTION_ALG',
};
const input = (over: Partial<TokenAuthInput>): TokenAuthInput => ({
  method: 'private_key_jwt',
  secret: 'the-secret',
  keyFile: undefined,
  alg: 'ES256',
  names,
  ...over,
});

async function problem(over: Partial<TokenAuthInput>): Promise<string> {
  const error = await loadTokenAuth('giftdeliveries', input(over)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

describe('loadTokenAuth', () => {
  it('keeps the secret for the secret methods, and needs no key', async () => {
    expect(await loadTokenAuth('giftdeliveries', input({ method: 'client_secret_basic' }))).toEqual(
      { authMethod: 'client_secret_basic', clientSecret: 'the-secret' },
    );
  });

  it('loads the key for private_key_jwt, relative to the working directory, and drops the secret', async () => {
    const { privatePem, publicJwk } = await generateClientKey();
    writeFileSync(join(dir, 'client.pem'), privatePem, { mode: 0o600 });
    const auth = await loadTokenAuth(
      'giftdeliveries',
      input({ keyFile: 'client.pem', cwd: dir, assertionAudience: 'issuer' }),
    );
    expect(auth).toEqual({
      authMethod: 'private_key_jwt',
      clientKey: expect.objectContaining({ kid: publicJwk.kid, alg: 'ES256' }) as unknown,
      assertionAudience: 'issuer',
    });
    expect(auth).not.toHaveProperty('clientSecret');
  });

  it('names CLIENT_PRIVATE_KEY_FILE when it is unset or missing', async () => {
    expect(await problem({})).toContain(
      '  - CLIENT_PRIVATE_KEY_FILE: is required when TOKEN_AUTH_METHOD=private_key_jwt',
    );
    expect(await problem({ keyFile: join(dir, 'absent.pem') })).toContain(
      `  - CLIENT_PRIVATE_KEY_FILE: ${join(dir, 'absent.pem')} does not exist (create a key pair with npm run keys:client)`,
    );
  });

  it('names both variables when the key cannot sign the algorithm, and never prints the key', async () => {
    const { privatePem } = await generateClientKey('ES256');
    writeFileSync(join(dir, 'p256.pem'), privatePem, { mode: 0o600 });
    const message = await problem({ keyFile: join(dir, 'p256.pem'), alg: 'RS256' });
    expect(message).toContain('  - CLIENT_PRIVATE_KEY_FILE / CLIENT_ASSERTION_ALG: ');
    expect(message).not.toContain(privatePem.split('\n')[1]!);
  });
});
