import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testLogger } from '@repo/testkit';
import { checkClientJwks, ClientKeys, ClientKeysError } from '../src/client-keys.js';
import { loadSettings } from '../src/config.js';
import { perTest } from './support/per-test.js';

const { newDataDir } = perTest();

const publicEc = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
  kid: 'k1',
  alg: 'ES256',
  use: 'sig',
};

describe('checkClientJwks', () => {
  it('takes public asymmetric keys with a kid', () => {
    expect(checkClientJwks(JSON.stringify({ keys: [publicEc] }), 'f.json')).toEqual([publicEc]);
  });

  it.each([
    ['not JSON', 'nope', 'f.json is not JSON (expected {"keys": [...]})'],
    ['no keys list', '{}', 'f.json has no "keys" list'],
    [
      'a private key',
      JSON.stringify({ keys: [{ ...publicEc, d: 'x' }] }),
      'f.json: keys[0] holds a private or symmetric key: register only the public JWKS (npm run keys:client prints it)',
    ],
    [
      'a symmetric key',
      JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'h' }] }),
      'f.json: keys[0] holds a private or symmetric key: register only the public JWKS (npm run keys:client prints it)',
    ],
    [
      'no kid',
      JSON.stringify({ keys: [{ ...publicEc, kid: undefined }] }),
      'f.json: keys[0] has no kid (assertions name their key by kid)',
    ],
    [
      'a duplicate kid',
      JSON.stringify({ keys: [publicEc, publicEc] }),
      'f.json: keys[1]: duplicate kid "k1"',
    ],
    [
      'alg HS256',
      JSON.stringify({ keys: [{ ...publicEc, alg: 'HS256' }] }),
      'f.json: keys[0]: alg HS256 is not accepted (one of ES256, ES384, PS256, RS256, EdDSA)',
    ],
  ])('refuses %s, naming the file and the key', (_, text, message) => {
    expect(() => checkClientJwks(text, 'f.json')).toThrow(new ClientKeysError(message));
  });
});

describe('ClientKeys', () => {
  it('refuses an invalid file at start, then keeps the last good keys when an edit is invalid', async () => {
    const dir = newDataDir();
    const file = join(dir, 'c.jwks.json');
    const settings = loadSettings({
      env: { DATA_DIR: dir, GIFTDELIVERIES_KEYS_JWKS_FILE: file },
      envFile: false,
    });
    const { logger, lines } = testLogger({ service: 'auth-server', level: 'debug' });
    writeFileSync(file, JSON.stringify({ keys: [{ ...publicEc, d: 'x' }] }));
    await expect(new ClientKeys(settings.registry, logger).current()).rejects.toThrow(
      ClientKeysError,
    );

    writeFileSync(file, JSON.stringify({ keys: [publicEc] }));
    const keys = new ClientKeys(settings.registry, logger);
    const first = await keys.current();
    expect(first.jwks.get('giftdeliveries-keys')).toEqual({ keys: [publicEc] });
    expect(await keys.current()).toBe(first);
    writeFileSync(file, '{"keys": [');
    const after = await keys.current();
    expect(after.jwks.get('giftdeliveries-keys')).toEqual({ keys: [publicEc] });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'client public keys not reloaded: the file is invalid',
      }),
    );
  });
});
