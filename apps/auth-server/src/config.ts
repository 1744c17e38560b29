import { isAbsolute, join, resolve } from 'node:path';
import {
  ConfigError,
  environmentWithDotenv,
  loadConfig as loadShape,
  serviceVars,
  vars,
  type ConfigProblem,
} from '@repo/config';
import { DEV_CLIENT_SECRETS } from '@repo/contracts';
import { estimatedBits, isVsChar, MIN_SECRET_BITS } from './secret-strength.js';
import { registry as defaultRegistry, type Registry } from './registry.js';
import { validateRegistry, type ResolvedRegistry } from './registry-check.js';

/** Every variable auth-server reads, besides the client secrets the registry names. */
export const configShape = {
  ...serviceVars(4000),
  ISSUER: vars.issuer('http://localhost:4000/'),
  DATA_DIR: vars.optionalText('./data'),
  SIGNING_KEYS_FILE: vars.optionalText('/run/secrets/auth-server-keys.json'),
  CLIENT_AUTH_MAX_FAILURES: vars.integer(5, { min: 0 }),
  CLIENT_AUTH_LOCKOUT_SECONDS: vars.integer(60, { min: 1, unit: 'seconds' }),
  /** Where the rate limit counters live (shared by replicas); unset: in this process's memory. */
  REDIS_URL: vars.optionalText('redis://127.0.0.1:6379'),
  /** Every DPoP proof at the token endpoint must carry a nonce of ours (RFC 9449 §8). */
  DPOP_REQUIRE_NONCE: vars.flag(false),
};

/** The key file's name inside `DATA_DIR`. */
export const KEY_FILE_NAME = 'signing-keys.json';

/** The default `DATA_DIR`, relative to the working directory (the app's folder under npm). */
export const DEFAULT_DATA_DIR = './data';

export type BaseConfig = ReturnType<typeof loadShape<typeof configShape>>;

/** Where the signing keys come from. */
export interface KeySource {
  path: string;
  /** `DATA_DIR` keys are created on first start; a `SIGNING_KEYS_FILE` must exist. */
  create: boolean;
  variable: 'DATA_DIR' | 'SIGNING_KEYS_FILE';
}

export interface Settings {
  config: BaseConfig;
  registry: ResolvedRegistry;
  keys: KeySource;
}

/** The key file in use: `SIGNING_KEYS_FILE` when set, else `DATA_DIR/signing-keys.json`. */
export function keySource(
  config: Pick<BaseConfig, 'DATA_DIR' | 'SIGNING_KEYS_FILE'>,
  cwd = process.cwd(),
): KeySource {
  if (config.SIGNING_KEYS_FILE) {
    return {
      path: resolve(cwd, config.SIGNING_KEYS_FILE),
      create: false,
      variable: 'SIGNING_KEYS_FILE',
    };
  }
  const dir = config.DATA_DIR ?? DEFAULT_DATA_DIR;
  return {
    path: join(isAbsolute(dir) ? dir : resolve(cwd, dir), KEY_FILE_NAME),
    create: true,
    variable: 'DATA_DIR',
  };
}

/**
 * The `private_key_jwt` clients' JWKS files as absolute paths: a variable's value from the working
 * directory (like `SIGNING_KEYS_FILE`), the registry's default from `DATA_DIR`.
 */
function resolveJwksFiles(
  registry: ResolvedRegistry,
  config: Pick<BaseConfig, 'DATA_DIR'>,
  cwd = process.cwd(),
): void {
  const dataDir = resolve(cwd, config.DATA_DIR ?? DEFAULT_DATA_DIR);
  for (const client of registry.clients.values()) {
    const keys = client.publicKeys;
    if (!keys || !('jwksFile' in keys)) continue;
    client.publicKeys = {
      ...keys,
      jwksFile: resolve(keys.relativeTo === 'cwd' ? cwd : dataDir, keys.jwksFile),
    };
  }
}

function isRedisUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
}

/**
 * In production the development secrets (public: they are in `.env.example`) and keys that
 * would vanish with the container are refused, naming the variable to set.
 */
export function productionProblems(
  config: Pick<BaseConfig, 'DATA_DIR' | 'SIGNING_KEYS_FILE'>,
  registry: Registry,
  secrets: Readonly<Record<string, string | undefined>>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const devValues = new Set(Object.values(DEV_CLIENT_SECRETS));
  for (const client of registry.clients) {
    // A disabled client gets no token whatever its secret, so its secret is not guarded; a
    // private_key_jwt client has none.
    if (!client.enabled || client.secretEnv === undefined) continue;
    const secret = secrets[client.secretEnv];
    if (secret === undefined || secret === '') {
      problems.push({
        variable: client.secretEnv,
        message: `client "${client.id}" needs a secret in production; set it to a long random value (e.g. openssl rand -hex 32)`,
      });
    } else if (devValues.has(secret)) {
      problems.push({
        variable: client.secretEnv,
        message: `is a development secret published in .env.example; set a long random value for client "${client.id}" (e.g. openssl rand -hex 32)`,
      });
    } else if (isVsChar(secret) && estimatedBits(secret) < MIN_SECRET_BITS) {
      problems.push({
        variable: client.secretEnv,
        message: `is too weak for production (about ${Math.floor(estimatedBits(secret))} bits; at least ${MIN_SECRET_BITS} wanted: longer, more varied); set a long random value for client "${client.id}" (e.g. openssl rand -hex 32)`,
      });
    }
  }
  if (!config.SIGNING_KEYS_FILE && !config.DATA_DIR) {
    problems.push({
      variable: 'DATA_DIR',
      message:
        'signing keys would be generated in the default ./data and lost with the container; set DATA_DIR to a persistent directory (a volume) or SIGNING_KEYS_FILE to a private JWKS',
    });
  }
  return problems;
}

/**
 * The client secrets, by variable: from the environment (or the root `.env`), else, outside
 * production, the development defaults.
 */
export function clientSecrets(
  raw: Readonly<Record<string, string | undefined>>,
  registry: Registry,
  production: boolean,
): Record<string, string | undefined> {
  const secrets: Record<string, string | undefined> = {};
  for (const client of registry.clients) {
    if (client.publicKeys && 'jwksFileEnv' in client.publicKeys) {
      // Not a secret (a path to public keys), read the same way.
      secrets[client.publicKeys.jwksFileEnv] = raw[client.publicKeys.jwksFileEnv];
    }
    if (client.secretEnv === undefined) continue;
    const value = raw[client.secretEnv];
    secrets[client.secretEnv] =
      value !== undefined && value !== ''
        ? value
        : production
          ? undefined
          : DEV_CLIENT_SECRETS[client.secretEnv];
  }
  return secrets;
}

export interface LoadSettingsOptions {
  env?: NodeJS.ProcessEnv;
  envFile?: string | false;
  registry?: Registry;
  cwd?: string;
}

/**
 * Reads and checks everything the server needs before it starts: variables, client secrets,
 * the registry, and in production the guards.
 * @throws ConfigError or RegistryError, with every problem listed.
 */
export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const env = options.env ?? process.env;
  const registry = options.registry ?? defaultRegistry;
  const config = loadShape(configShape, { service: 'auth-server', env, envFile: options.envFile });
  const production = config.NODE_ENV === 'production';
  if (config.REDIS_URL !== undefined && !isRedisUrl(config.REDIS_URL)) {
    // Not echoed: the URL may hold a password.
    throw new ConfigError('auth-server', [
      {
        variable: 'REDIS_URL',
        message:
          'is not a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379 or redis://user:password@host:6379/0); unset it to count in memory',
      },
    ]);
  }
  const secrets = clientSecrets(environmentWithDotenv(env, options.envFile), registry, production);
  if (production) {
    const problems = productionProblems(config, registry, secrets);
    if (problems.length > 0) throw new ConfigError('auth-server', problems);
  }
  const resolved = validateRegistry(registry, secrets);
  resolveJwksFiles(resolved, config, options.cwd);
  return { config, registry: resolved, keys: keySource(config, options.cwd) };
}
