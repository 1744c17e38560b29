import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

/** Runs the built CLI; argument errors exit before any configuration or network is touched. */
const deliver = (args: string[], env?: Record<string, string>) => runCli('deliver', args, env);

describe('npm run deliver arguments', () => {
  it.each([
    [['--bogus'], /^deliver: Unknown option '--bogus'.*\n\nUsage: /s],
    [['--lang', 'fr', 'Kyoto'], /^deliver: --lang must be en or ja, not "fr"\n\nUsage: /],
    [['Kyoto'], /^deliver: --recipient is required\n\nUsage: /],
  ])('refuses %j in English with exit code 2 and the usage', async (args, stderr) => {
    const result = await deliver(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(stderr);
  });

  it.each([
    [['--lang', 'ja', '--bogus'], '不明なオプションです：--bogus'],
    [['--bogus', '--lang=ja'], '不明なオプションです：--bogus'],
    [['--lang', 'ja', '--recipient'], '-r, --recipient には値が必要です'],
    [['--lang', 'ja', 'Kyoto'], '--recipient（受取人）を指定してください'],
    [['--lang', 'ja', '--recipient', 'Yuki'], '届け先を指定してください'],
  ])('refuses %j in Japanese with exit code 2 and the Japanese usage', async (args, first) => {
    const result = await deliver(args);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`deliver: ${first}`);
    expect(result.stderr).toContain('\n\n使い方：npm run deliver -- ');
    expect(result.stderr).not.toMatch(/\b(Unknown|Option|Usage|required|must)\b/);
  });

  it('prints the Japanese usage for --help --lang ja', async () => {
    const result = await deliver(['--help', '--lang', 'ja']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^使い方：npm run deliver -- <届け先> --recipient <受取人>/);
  });

  describe('a bad configuration, before any request', () => {
    const badEnv = { GIFTDELIVERIES_URL: 'localhost:7002', TOKEN_AUTH_METHOD: 'magic' };

    it('is said in English by default, exit code 78', async () => {
      const result = await deliver(['Kyoto', '--recipient', 'Yuki'], badEnv);
      expect(result.code).toBe(78);
      expect(result.stderr.split('\n').slice(0, 3)).toEqual([
        'deliver: invalid configuration (2 problems):',
        '  - GIFTDELIVERIES_URL: expected an absolute http(s) URL, e.g. GIFTDELIVERIES_URL=http://localhost:7002 (got "localhost:7002")',
        // Its name holds "token": a variable that may be a secret is never echoed.
        '  - TOKEN_AUTH_METHOD: expected one of client_secret_post, client_secret_basic, private_key_jwt, e.g. TOKEN_AUTH_METHOD=client_secret_post (value hidden)',
      ]);
    });

    it('is said in Japanese with --lang ja, exit code 78', async () => {
      const result = await deliver(['Kyoto', '--recipient', 'Yuki', '--lang', 'ja'], badEnv);
      expect(result.code).toBe(78);
      expect(result.stderr.split('\n')).toEqual([
        'deliver：設定に誤りが 2 件あります。',
        '  - GIFTDELIVERIES_URL：http(s) の絶対 URL を指定してください。例：GIFTDELIVERIES_URL=http://localhost:7002（指定された値："localhost:7002"）',
        '  - TOKEN_AUTH_METHOD：client_secret_post、client_secret_basic、private_key_jwt のいずれかを指定してください。例：TOKEN_AUTH_METHOD=client_secret_post（値は表示しません）',
        'これらの変数は、環境変数か、リポジトリのルートにある .env ファイルで設定します（.env.example を参照）。',
        '',
      ]);
    });

    it('says in Japanese with --lang ja why a private key cannot be used', async () => {
      const result = await deliver(['Kyoto', '--recipient', 'Yuki', '--lang', 'ja'], {
        STOREFRONT_PRIVATE_KEY_FILE: '/nonexistent/storefront.private.pem',
      });
      expect(result.code).toBe(78);
      expect(result.stderr.split('\n').slice(0, 2)).toEqual([
        'deliver：設定に誤りが 1 件あります。',
        '  - STOREFRONT_PRIVATE_KEY_FILE：秘密鍵を使えません（/nonexistent/storefront.private.pem does not exist (create a key pair with npm run keys:client)）',
      ]);
    });
  });
});
