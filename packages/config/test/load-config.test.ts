import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, serviceVars, vars } from '../src/index.js';

const shape = {
  ...serviceVars(7001),
  ISSUER_BASE_URL: vars.issuer('http://localhost:4000/'),
  AUTH0_DOMAIN: vars.optionalDomain(),
  CLIENT_SECRET: vars.secret('dev-secret'),
  AUDIENCE: vars.text('urn:worldmappers', 'urn:worldmappers'),
};

const load = (env: Record<string, string>, envFile: string | false = false) =>
  loadConfig(shape, { service: 'svc', env, envFile });

function problemsOf(env: Record<string, string>) {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives development defaults when nothing is set', () => {
    expect(load({})).toEqual({
      PORT: 7001,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      LOG_FORMAT: undefined,
      ISSUER_BASE_URL: 'http://localhost:4000/',
      AUTH0_DOMAIN: undefined,
      CLIENT_SECRET: 'dev-secret',
      AUDIENCE: 'urn:worldmappers',
      EVENTS_STREAM: 'auto',
      CONSOLE_URL: 'http://localhost:7003',
    });
  });

  it('returns a frozen object with coerced values', () => {
    const config = load({ PORT: '8080', LOG_FORMAT: 'json' });
    expect(config.PORT).toBe(8080);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports every bad variable together, by name, with an example', () => {
    const error = problemsOf({ PORT: 'seventy', LOG_LEVEL: 'loud' });
    expect(error.problems.map((p) => p.variable)).toEqual(['PORT', 'LOG_LEVEL']);
    expect(error.message).toContain('svc: invalid configuration (2 problems):');
    expect(error.message).toContain(
      '  - PORT: expected an integer port from 0 to 65535, e.g. PORT=7001 (got "seventy")',
    );
    expect(error.message).toContain('  - LOG_LEVEL: expected one of debug, info, warn, error');
  });

  it('says the same problems in Japanese for the command-line tools', () => {
    const error = problemsOf({ PORT: 'seventy', LOG_LEVEL: 'loud', CLIENT_SECRET: '' });
    expect(error.describe('ja').split('\n')).toEqual([
      'svc：設定に誤りが 2 件あります。',
      '  - PORT：0〜65535 の整数のポート番号を指定してください。例：PORT=7001（指定された値："seventy"）',
      '  - LOG_LEVEL：debug、info、warn、error のいずれかを指定してください。例：LOG_LEVEL=info（指定された値："loud"）',
      'これらの変数は、環境変数か、リポジトリのルートにある .env ファイルで設定します（.env.example を参照）。',
    ]);
    expect(error.describe('en')).toBe(error.message);
  });

  it('never prints a secret value, even when it is the invalid one', () => {
    const error = problemsOf({ CLIENT_SECRET: 'x'.repeat(5000), PORT: '-1' });
    expect(error.message).toContain('CLIENT_SECRET');
    expect(error.message).toContain('(value hidden)');
    expect(error.message).not.toContain('xxxxxxxx');
  });

  it('normalises issuer URLs to one trailing slash', () => {
    expect(load({ ISSUER_BASE_URL: 'https://id.example.com' }).ISSUER_BASE_URL).toBe(
      'https://id.example.com/',
    );
    expect(load({ ISSUER_BASE_URL: 'https://id.example.com/oidc//' }).ISSUER_BASE_URL).toBe(
      'https://id.example.com/oidc/',
    );
  });

  it('reads AUTH0_DOMAIN as shorthand for the issuer', () => {
    expect(load({ AUTH0_DOMAIN: 'tenant.eu.auth0.com' }).ISSUER_BASE_URL).toBe(
      'https://tenant.eu.auth0.com/',
    );
    expect(
      load({ AUTH0_DOMAIN: 'tenant.eu.auth0.com', ISSUER_BASE_URL: 'https://tenant.eu.auth0.com' })
        .ISSUER_BASE_URL,
    ).toBe('https://tenant.eu.auth0.com/');
  });

  it('refuses AUTH0_DOMAIN and ISSUER_BASE_URL that disagree', () => {
    const error = problemsOf({
      AUTH0_DOMAIN: 'tenant.eu.auth0.com',
      ISSUER_BASE_URL: 'http://localhost:4000/',
    });
    expect(error.problems).toEqual([
      {
        variable: 'AUTH0_DOMAIN',
        message: expect.stringContaining('set only one of them') as string,
        ja: expect.stringContaining('どちらか一方だけを設定してください') as string,
      },
    ]);
  });

  it('treats empty values as unset', () => {
    expect(load({ PORT: '', CLIENT_SECRET: '  ' }).PORT).toBe(7001);
  });

  it('reads a .env file under the real environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'PORT=9000\nAUDIENCE=urn:from-file\n');
    try {
      const config = load({ PORT: '9100' }, file);
      expect(config.PORT).toBe(9100);
      expect(config.AUDIENCE).toBe('urn:from-file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('works when the .env file does not exist', () => {
    expect(load({}, '/nonexistent/.env').PORT).toBe(7001);
  });
});

describe('ENV_FILE', () => {
  it('names the file to read, and none reads no file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    const file = join(dir, 'custom.env');
    writeFileSync(file, 'PORT=9200\n');
    try {
      expect(loadConfig(shape, { service: 'svc', env: { ENV_FILE: file } }).PORT).toBe(9200);
      expect(loadConfig(shape, { service: 'svc', env: { ENV_FILE: 'none' } }).PORT).toBe(7001);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
