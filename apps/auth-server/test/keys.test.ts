import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { KEY_FILE_NAME } from '../src/config.js';
import {
  generateSigningKey,
  parseKeyFile,
  readKeyFile,
  rotateKeys,
  writeKeyFile,
} from '../src/keys/key-file.js';
import { startAuthServer } from './support/in-process.js';
import { perTest } from './support/per-test.js';
import { giftdeliveriesToken, jwksOf, kidOf, publishedKids } from './support/tokens.js';

const { start, newDataDir } = perTest();

describe('signing keys', () => {
  it('creates a private JWKS in DATA_DIR on first start, readable by its owner only', async () => {
    const dataDir = newDataDir();
    const server = await start({ dataDir });
    const path = join(dataDir, KEY_FILE_NAME);
    const file = parseKeyFile(readFileSync(path, 'utf8'), path);
    expect(file.keys).toHaveLength(1);
    expect(file.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(file.keys[0]!.d).toEqual(expect.any(String));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await publishedKids(server.url)).toEqual([file.keys[0]!.kid]);
  });

  it('are created once when several replicas start at once on one DATA_DIR, and all use them', async () => {
    const dataDir = newDataDir();
    const servers = await Promise.all(Array.from({ length: 4 }, () => start({ dataDir })));
    const path = join(dataDir, KEY_FILE_NAME);
    const file = parseKeyFile(readFileSync(path, 'utf8'), path);
    expect(file.keys).toHaveLength(1);
    for (const server of servers) {
      expect(await publishedKids(server.url)).toEqual([file.keys[0]!.kid]);
      expect(kidOf(await giftdeliveriesToken(server.url))).toBe(file.keys[0]!.kid);
    }
    // Exactly one generated a key (the others would have signed their first tokens with their own).
    const created = servers.flatMap((server) =>
      server.logs.filter((line) => line.message === 'created a signing key'),
    );
    expect(created).toEqual([expect.objectContaining({ kid: file.keys[0]!.kid })]);
    // No temporary file is left beside it.
    expect(readdirSync(dataDir)).toEqual([KEY_FILE_NAME]);
  });

  it('survive a restart: same kid, and tokens issued before still verify', async () => {
    const dataDir = newDataDir();
    const first = await startAuthServer({ dataDir });
    const before = await giftdeliveriesToken(first.url);
    await first.close();

    const second = await start({ dataDir, port: first.port });
    const after = await giftdeliveriesToken(second.url);
    expect(kidOf(after)).toBe(kidOf(before));
    const { payload } = await jwtVerify(before, await jwksOf(second.url), {
      issuer: second.issuer,
      audience: 'urn:worldmappers',
    });
    expect(payload.sub).toBe('giftdeliveries');
  });

  it('drop a retired key once every token it signed has expired, without a restart', async () => {
    const dataDir = newDataDir();
    let now = 1_800_000_000;
    const server = await start({ dataDir, now: () => now });
    const path = join(dataDir, KEY_FILE_NAME);
    const oldKid = (await readKeyFile(path))!.keys[0]!.kid;
    const rotated = await rotateKeys(await readKeyFile(path), 3600, now);
    await writeKeyFile(path, rotated.file);

    expect(await publishedKids(server.url)).toEqual([rotated.newKid, oldKid]);
    // The change says until when the retired key stays published (the console shows it).
    expect(server.logs.filter((line) => line.message === 'signing keys changed')).toEqual([
      expect.objectContaining({
        signing_kid: rotated.newKid,
        retired_until: { [oldKid]: new Date((now + 3600 + 60) * 1000).toISOString() },
      }),
    ]);
    now += 3600; // the last token of the old key expires now; resource servers may lag a little
    expect(await publishedKids(server.url)).toEqual([rotated.newKid, oldKid]);
    now += 60;
    expect(await publishedKids(server.url)).toEqual([rotated.newKid]);

    const again = await rotateKeys(await readKeyFile(path), 3600, now);
    expect(again.prunedKids).toEqual([oldKid]);
    expect(again.file.keys.map((key) => key.kid)).toEqual([again.newKid, rotated.newKid]);
  });

  it('keep the current keys when the file is broken, and take the fixed file', async () => {
    const dataDir = newDataDir();
    const server = await start({ dataDir });
    const path = join(dataDir, KEY_FILE_NAME);
    const kid = kidOf(await giftdeliveriesToken(server.url));

    writeFileSync(path, '{"keys": [ half a file');
    expect(kidOf(await giftdeliveriesToken(server.url))).toBe(kid);
    expect(server.logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'cannot reload the signing keys; still using the previous ones',
        reason: `${path} is not valid JSON`,
      }),
    );

    const replacement = await generateSigningKey();
    await writeKeyFile(path, { keys: [replacement] });
    expect(kidOf(await giftdeliveriesToken(server.url))).toBe(replacement.kid);
  });

  it('use a key file given by SIGNING_KEYS_FILE, and never write it', async () => {
    const dir = newDataDir();
    const path = join(dir, 'supplied.json');
    const key = await generateSigningKey();
    await writeKeyFile(path, { keys: [key] });
    const before = readFileSync(path, 'utf8');
    const server = await start({ env: { SIGNING_KEYS_FILE: path } });
    expect(kidOf(await giftdeliveriesToken(server.url))).toBe(key.kid);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('refuse to start on a missing SIGNING_KEYS_FILE, naming the file', async () => {
    const path = join(newDataDir(), 'missing.json');
    await expect(startAuthServer({ env: { SIGNING_KEYS_FILE: path } })).rejects.toThrow(
      `${path} does not exist`,
    );
  });

  it.each([
    ['{"keys": []}', 'has no active key'],
    ['{"keys": [{"kty": "EC"}]}', 'keys[0] is not an RSA key'],
    [
      '{"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}]}',
      'keys[0] lacks the private RSA member "d"',
    ],
    ['[]', 'is not a JWKS'],
    ['{"keys": {}}', 'keys.json is not a JWKS: expected {"keys": [...]}'],
    ['{"keys": ', 'keys.json is not valid JSON'],
    ['{"keys": ["RSA"]}', 'keys.json: keys[0] is not a JWK object'],
  ])('reject the key file %s with a clear message', (text, message) => {
    expect(() => parseKeyFile(text, 'keys.json')).toThrow(message);
  });

  it('reject a key with another algorithm or use, a bad time, or a kid used twice', async () => {
    const key = await generateSigningKey(1_700_000_000);
    const file = (...keys: object[]) => JSON.stringify({ keys });
    const refusal = (text: string) => {
      try {
        parseKeyFile(text, 'keys.json');
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refusal(file({ ...key, alg: 'PS256' }))).toBe(
      'keys.json: keys[0] has alg "PS256"; only RS256 is supported',
    );
    expect(refusal(file({ ...key, use: 'enc' }))).toBe(
      'keys.json: keys[0] has use "enc"; signing keys need "sig"',
    );
    expect(refusal(file(key, { ...key, retired_at: 1.5 }))).toBe(
      'keys.json: keys[1] has retired_at that is not epoch seconds',
    );
    expect(refusal(file(key, { ...key, retired_at: 1_700_000_100 }))).toBe(
      'keys.json has two keys with kid "' + key.kid + '"',
    );
    expect(refusal(file({ ...key, retired_at: 1_700_000_100 }))).toBe(
      'keys.json has no active key: every key is retired',
    );
  });

  it("keep a key file's other members and default alg, use and created_at", async () => {
    const { alg: _alg, use: _use, created_at: _created, ...bare } = await generateSigningKey();
    const [key] = parseKeyFile(JSON.stringify({ keys: [{ ...bare, ext: true }] }), 'k').keys;
    expect(key).toEqual({ ...bare, ext: true, alg: 'RS256', use: 'sig', created_at: 0 });
  });
});
