import { describe, expect, it } from 'vitest';
import { DELIVER_MESSAGES } from '../../src/cli/deliver-messages.js';

const ja = DELIVER_MESSAGES.ja;
const en = DELIVER_MESSAGES.en;

describe('npm run deliver messages', () => {
  it('has the same messages in both languages', () => {
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
  });

  it('puts a full-width colon after Japanese text in the Japanese usage', () => {
    expect(ja.usage).toMatch(/^使い方：npm run deliver -- /);
    expect(ja.usage).toContain('\nオプション：\n');
    expect(ja.usage).not.toMatch(/[\u3040-\u30ff\u4e00-\u9fff]: /);
  });

  it('says a refused token in Japanese, keeping the OAuth code, the status and the variables', () => {
    const text = ja.tokenRefused(
      'invalid_client',
      401,
      'STOREFRONT_CLIENT_ID、STOREFRONT_CLIENT_SECRET',
      'the English detail',
    );
    expect(text).toBe(
      '認可サーバーがトークンの発行を拒否しました（HTTP 401 invalid_client）。STOREFRONT_CLIENT_ID、STOREFRONT_CLIENT_SECRET を確かめてください。',
    );
    expect(en.tokenRefused('invalid_client', 401, 'X', 'the English detail')).toBe(
      'the English detail',
    );
  });

  it('says an unreachable token endpoint in Japanese, with the last status when there was one', () => {
    expect(ja.tokenUnavailable(3, 503, 'detail')).toBe(
      '認可サーバーのトークンエンドポイントに 3 回試しても接続できないか、エラーが続きました（最後の応答は HTTP 503）。認可サーバーが起動しているか（npm start）確かめてください。',
    );
    expect(ja.tokenUnavailable(3, undefined, 'detail')).not.toContain('HTTP');
    expect(ja.waited(4)).toBe('4 秒');
    expect(en.waited(4)).toBe('4s');
  });
});
