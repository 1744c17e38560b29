import { randomBytes } from 'node:crypto';
import { ConfigError } from '@repo/config';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../src/config.js';
import { registry, type Registry } from '../src/registry.js';
import { RegistryError } from '../src/registry-check.js';
import { estimatedBits } from '../src/secret-strength.js';
import { DEMO_CLIENTS, DEMO_KEY_CLIENT } from '@repo/contracts';

const productionSecrets = {
  GIFTDELIVERIES_CLIENT_SECRET: randomBytes(32).toString('hex'),
  STORE_LOCATOR_CLIENT_SECRET: randomBytes(32).toString('base64url'),
  STOREFRONT_CLIENT_SECRET: randomBytes(24).toString('hex'),
  CONSOLE_CLIENT_SECRET: randomBytes(32).toString('hex'),
};

function settingsError(env: Record<string, string>, custom?: Registry): Error {
  try {
    loadSettings({ env, envFile: false, registry: custom });
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the settings to be refused');
}

describe('configuration', () => {
  it('defaults to port 4000, issuer http://localhost:4000/, keys in ./data and the development secrets', () => {
    const {
      config,
      registry: resolved,
      keys,
    } = loadSettings({ env: {}, envFile: false, cwd: '/srv/app' });
    expect(config.PORT).toBe(4000);
    expect(config.ISSUER).toBe('http://localhost:4000/');
    expect(keys).toEqual({
      path: '/srv/app/data/signing-keys.json',
      create: true,
      variable: 'DATA_DIR',
    });
    expect(resolved.clients.get('giftdeliveries')!.secret).toBe(
      DEMO_CLIENTS.giftdeliveries.devSecret,
    );
    expect(resolved.maxTokenLifetimeSeconds).toBe(3600);
  });

  it('normalises the issuer to one trailing slash', () => {
    const { config } = loadSettings({ env: { ISSUER: 'http://127.0.0.1:4100' }, envFile: false });
    expect(config.ISSUER).toBe('http://127.0.0.1:4100/');
  });

  it('takes client secrets from their variables', () => {
    const { registry: resolved } = loadSettings({
      env: { STOREFRONT_CLIENT_SECRET: 'from-env' },
      envFile: false,
    });
    expect(resolved.clients.get('storefront')!.secret).toBe('from-env');
  });

  it('seeds exactly the demo clients of @repo/contracts, with their secret variables', () => {
    expect(registry.clients.map(({ id, secretEnv }) => ({ id, secretEnv }))).toEqual([
      ...Object.values(DEMO_CLIENTS).map(({ id, secretEnv }) => ({ id, secretEnv })),
      { id: DEMO_KEY_CLIENT.id, secretEnv: undefined },
    ]);
  });

  it('seeds giftdeliveries-keys with public keys from DATA_DIR/clients, or the variable’s file', () => {
    const byDefault = loadSettings({ env: { DATA_DIR: '/srv/auth' }, envFile: false });
    expect(byDefault.registry.clients.get(DEMO_KEY_CLIENT.id)).toMatchObject({
      secret: undefined,
      publicKeys: {
        jwksFile: '/srv/auth/clients/giftdeliveries-keys.jwks.json',
        variable: DEMO_KEY_CLIENT.jwksFileEnv,
      },
    });
    const set = loadSettings({
      env: { [DEMO_KEY_CLIENT.jwksFileEnv]: 'keys/c.json' },
      envFile: false,
      cwd: '/work',
    });
    expect(set.registry.clients.get(DEMO_KEY_CLIENT.id)!.publicKeys).toMatchObject({
      jwksFile: '/work/keys/c.json',
    });
  });

  it('refuses a client with both a secret and public keys, or neither', () => {
    const both: Registry = {
      ...registry,
      clients: registry.clients.map((c) =>
        c.id === 'storefront'
          ? { ...c, publicKeys: { jwksUri: 'https://storefront.example/jwks' } }
          : c.id === DEMO_KEY_CLIENT.id
            ? { ...c, publicKeys: undefined }
            : c,
      ),
    };
    const error = (() => {
      try {
        loadSettings({ env: {}, envFile: false, registry: both });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RegistryError);
    const line =
      'a client has either a secret (secretEnv) or public keys (publicKeys, for private_key_jwt), exactly one';
    expect(error!.message).toContain(`clients[2] (storefront).secretEnv: ${line}`);
    expect(error!.message).toContain(`clients[5] (giftdeliveries-keys).secretEnv: ${line}`);
  });
});

describe('REDIS_URL', () => {
  it('is unset by default (counters in memory)', () => {
    expect(loadSettings({ env: {}, envFile: false }).config.REDIS_URL).toBeUndefined();
  });

  it('takes a redis:// URL', () => {
    const { config } = loadSettings({
      env: { REDIS_URL: 'redis://127.0.0.1:6379/2' },
      envFile: false,
    });
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379/2');
  });

  it.each(['http://127.0.0.1:6379', 'localhost:6379', 'redis://'])(
    'refuses %s with a clear message that does not echo it',
    (value) => {
      const error = settingsError({ REDIS_URL: value });
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain(
        '  - REDIS_URL: is not a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379 or redis://user:password@host:6379/0); unset it to count in memory',
      );
    },
  );
});

describe('the production guard', () => {
  it('refuses the development secrets, naming each variable to set', () => {
    const error = settingsError({
      NODE_ENV: 'production',
      DATA_DIR: '/data',
      ...productionSecrets,
      STOREFRONT_CLIENT_SECRET: DEMO_CLIENTS.storefront.devSecret,
    });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      [
        'auth-server: invalid configuration (1 problem):',
        '  - STOREFRONT_CLIENT_SECRET: is a development secret published in .env.example; set a long random value for client "storefront" (e.g. openssl rand -hex 32)',
        'Set these variables in the environment or in the .env file at the repository root (see .env.example).',
      ].join('\n'),
    );
  });

  it('refuses a development secret even under another client’s variable', () => {
    const error = settingsError({
      NODE_ENV: 'production',
      DATA_DIR: '/data',
      ...productionSecrets,
      GIFTDELIVERIES_CLIENT_SECRET: DEMO_CLIENTS.storefront.devSecret,
    });
    expect(error.message).toContain('GIFTDELIVERIES_CLIENT_SECRET: is a development secret');
  });

  it('does not fall back to development secrets, and says which are missing', () => {
    const error = settingsError({ NODE_ENV: 'production', DATA_DIR: '/data' });
    expect(error.message).toContain('(4 problems)');
    for (const variable of Object.keys(productionSecrets)) {
      expect(error.message).toContain(`  - ${variable}: client "`);
    }
    expect(error.message).not.toContain('BANNED_PARTNER_CLIENT_SECRET');
  });

  it('refuses throwaway keys: neither DATA_DIR nor SIGNING_KEYS_FILE set', () => {
    const error = settingsError({ NODE_ENV: 'production', ...productionSecrets });
    expect(error.message).toContain(
      '  - DATA_DIR: signing keys would be generated in the default ./data and lost with the container; set DATA_DIR to a persistent directory (a volume) or SIGNING_KEYS_FILE to a private JWKS',
    );
  });

  it.each([
    ['short', 'short'],
    ['one repeated character', 'a'.repeat(64)],
    ['two alternating characters', 'ab'.repeat(32)],
    ['16 lowercase letters', 'kqzjxvbwmpfhtgnl'],
  ])(
    'refuses a weak secret (%s) in production, naming the variable, not the value',
    (_kind, weak) => {
      const error = settingsError({
        NODE_ENV: 'production',
        DATA_DIR: '/data',
        ...productionSecrets,
        STOREFRONT_CLIENT_SECRET: weak,
      });
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toMatch(
        /^auth-server: invalid configuration \(1 problem\):\n {2}- STOREFRONT_CLIENT_SECRET: is too weak for production \(about \d+ bits; at least 128 wanted: longer, more varied\); set a long random value for client "storefront" \(e\.g\. openssl rand -hex 32\)\n/,
      );
      expect(error.message).not.toContain(weak);
    },
  );

  it('estimates entropy as length × log2(charset variety)', () => {
    expect(estimatedBits('short')).toBeCloseTo(5 * Math.log2(26));
    expect(estimatedBits('a'.repeat(100))).toBe(0);
    expect(estimatedBits(randomBytes(16).toString('hex'))).toBeGreaterThanOrEqual(128);
    expect(estimatedBits(randomBytes(32).toString('base64url'))).toBeGreaterThan(200);
  });

  it('accepts a weak secret outside production (the demo)', () => {
    expect(() =>
      loadSettings({ env: { STOREFRONT_CLIENT_SECRET: 'short' }, envFile: false }),
    ).not.toThrow();
  });

  it('starts with real secrets and persistent keys', () => {
    const settings = loadSettings({
      env: {
        NODE_ENV: 'production',
        SIGNING_KEYS_FILE: '/run/secrets/keys.json',
        ...productionSecrets,
      },
      envFile: false,
    });
    expect(settings.keys).toEqual({
      path: '/run/secrets/keys.json',
      create: false,
      variable: 'SIGNING_KEYS_FILE',
    });
  });
});

describe('the registry check', () => {
  const api = registry.apis[0]!;
  const client = registry.clients[0]!;

  it('accepts the seeded registry', () => {
    expect(() => loadSettings({ env: {}, envFile: false })).not.toThrow();
  });

  it('reports every problem at once: unknown scope, unknown API, duplicate ids, missing secret', () => {
    const broken: Registry = {
      apis: [api, { ...api }],
      clients: [
        { ...client, grants: { 'urn:worldmappers': ['geocode:location', 'teleport'] } },
        { ...client },
        {
          ...client,
          id: 'orphan',
          secretEnv: 'ORPHAN_CLIENT_SECRET',
          grants: { 'urn:nowhere': ['x'] },
        },
      ],
    };
    const error = settingsError({}, broken);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toBe(
      [
        'auth-server: invalid registry (5 problems):',
        '  - apis[1] (urn:worldmappers): duplicate API identifier "urn:worldmappers"',
        '  - clients[0] (giftdeliveries).grants["urn:worldmappers"]: unknown scope "teleport" (urn:worldmappers defines geocode:location, reverse-geocode:location, directions, events:read)',
        '  - clients[1] (giftdeliveries): duplicate client id "giftdeliveries"',
        '  - clients[2] (orphan).grants: unknown API "urn:nowhere" (known: urn:worldmappers)',
        '  - clients[2] (orphan).secretEnv: missing secret: set ORPHAN_CLIENT_SECRET in the environment or the root .env',
        'Fix apps/auth-server/src/registry.ts (see apps/auth-server/README.md).',
      ].join('\n'),
    );
  });

  it('refuses an API identifier that is not an absolute URI and a bad lifetime', () => {
    const error = settingsError(
      {},
      {
        apis: [{ ...api, identifier: 'worldmappers', tokenLifetimeSeconds: 0 }],
        clients: [],
      },
    );
    expect(error.message).toContain('"worldmappers" is not an absolute URI');
    expect(error.message).toContain(
      'tokenLifetimeSeconds: must be a positive whole number of seconds (got 0)',
    );
  });

  it('names the exact path of each malformed field, every entry at once', () => {
    const error = settingsError(
      {},
      {
        apis: [
          { ...api, identifier: 'urn:a#b', scopes: { 'read all': 'x' } },
          { ...api, identifier: 'urn:empty', name: ' ', scopes: {} },
        ],
        clients: [
          { ...client, id: 'has space', secretEnv: 'lower_case', grants: {} },
          { ...client, id: 'no-scopes', grants: { 'urn:a#b': [] } },
        ],
      },
    );
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toBe(
      [
        'auth-server: invalid registry (9 problems):',
        '  - apis[0] (urn:a#b).identifier: must not contain a fragment (#)',
        '  - apis[0] (urn:a#b).scopes: "read all" is not a valid scope name (no spaces, quotes or backslashes)',
        '  - apis[1] (urn:empty).name: must not be empty',
        '  - apis[1] (urn:empty).scopes: an API needs at least one scope',
        '  - clients[0] (has space).id: "has space" must be letters, digits, ".", "_", "~" or "-"',
        '  - clients[0] (has space).secretEnv: "lower_case" is not an environment variable name (e.g. MY_CLIENT_SECRET)',
        '  - clients[0] (has space).grants: an enabled client needs at least one grant',
        '  - clients[0] (has space).secretEnv: missing secret: set lower_case in the environment or the root .env',
        '  - clients[1] (no-scopes).grants["urn:a#b"]: grants no scope; remove the grant or list at least one scope',
        'Fix apps/auth-server/src/registry.ts (see apps/auth-server/README.md).',
      ].join('\n'),
    );
  });

  it.each([
    ['a non-ASCII character', 'sécret-value'],
    ['a control character', 'secret\u0000value'],
    ['a line break', 'secret\nvalue'],
  ])(
    'refuses a client secret with %s at start (RFC 6749 VSCHAR), in every mode',
    (_kind, secret) => {
      const error = settingsError({ STOREFRONT_CLIENT_SECRET: secret });
      expect(error).toBeInstanceOf(RegistryError);
      expect(error.message).toBe(
        [
          'auth-server: invalid registry (1 problem):',
          "  - clients[2] (storefront).secretEnv: STOREFRONT_CLIENT_SECRET holds a character outside RFC 6749's client secret set (VSCHAR: printable ASCII, %x20-7E); use e.g. openssl rand -hex 32",
          'Fix apps/auth-server/src/registry.ts (see apps/auth-server/README.md).',
        ].join('\n'),
      );
    },
  );

  it('gives every client a token quota: 1000 per hour unless the registry says otherwise', () => {
    const custom: Registry = {
      ...registry,
      clients: registry.clients.map((c) =>
        c.id === 'storefront' ? { ...c, tokenQuotaPerHour: 20 } : c,
      ),
    };
    const { registry: resolved } = loadSettings({ env: {}, envFile: false, registry: custom });
    expect(resolved.clients.get('storefront')!.tokenQuotaPerHour).toBe(20);
    expect(resolved.clients.get('giftdeliveries')!.tokenQuotaPerHour).toBe(1000);
  });

  it.each([0, -1, 1.5])('refuses tokenQuotaPerHour %s', (quota) => {
    const error = settingsError(
      {},
      { apis: [api], clients: [{ ...client, tokenQuotaPerHour: quota }] },
    );
    expect(error.message).toContain(
      `clients[0] (giftdeliveries).tokenQuotaPerHour: must be a positive whole number of tokens per hour (got ${quota})`,
    );
  });

  it('never prints a secret', () => {
    const error = settingsError(
      { GIFTDELIVERIES_CLIENT_SECRET: 'super-secret-value' },
      { apis: [api], clients: [client, client] },
    );
    expect(error.message).not.toContain('super-secret-value');
  });
});
