import { describe, expect, it } from 'vitest';
import { rowText } from '../web/timeline-text.js';

describe("the timeline's words", () => {
  it('says what a token request asked for in both languages, and keeps the protocol as sent', () => {
    const text = rowText({
      kind: 'token',
      service: 'auth-server',
      fields: { status: 200 },
      exchange: {
        request: {
          body: {
            client_id: 'giftdeliveries',
            client_secret: 'sha256:1234abcd',
            audience: 'urn:worldmappers',
            scope: 'directions',
          },
        },
        response: { body: { access_token: 'sha256:feedbeef', scope: 'directions' } },
      },
    });
    expect(text.en).toBe(
      'giftdeliveries → auth-server  client_secret_post  urn:worldmappers asked="directions"  200 scope="directions"',
    );
    expect(text.ja).toBe(
      'giftdeliveries → auth-server  client_secret_post  urn:worldmappers 要求したスコープ="directions"  200 scope="directions"',
    );
    expect(text).toMatchObject({ tone: 'ok', fingerprint: 'sha256:feedbeef' });
  });

  it('says a refused token request with its error, client_secret_basic when sent so', () => {
    const text = rowText({
      kind: 'token',
      fields: { status: 401 },
      exchange: {
        request: { headers: { authorization: 'Basic sha256:00' }, body: {} },
        response: {
          body: { error: 'invalid_client', error_description: 'client authentication failed' },
        },
      },
    });
    expect(text.en).toBe(
      '(basic) → auth-server  client_secret_basic   asked=""  401 invalid_client client authentication failed',
    );
    expect(text.ja).toContain('要求したスコープ=""  401 invalid_client');
    expect(text.tone).toBe('deny');
    expect(text.fingerprint).toBeUndefined();
  });

  it("keeps only a refusal's code in Japanese: its English description is in the challenge", () => {
    const text = rowText({
      kind: 'api',
      service: 'worldmappers-api',
      fields: {
        route: 'GET /api/location/geocode',
        status: 401,
        reason:
          'invalid_token: An access token is required: send it as "Authorization: Bearer <token>".',
      },
    });
    expect(text.en).toBe(
      '? → worldmappers-api  GET /api/location/geocode  []  401 invalid_token: An access token is required: send it as "Authorization: Bearer <token>".',
    );
    expect(text.ja).toBe('? → worldmappers-api  GET /api/location/geocode  []  401 invalid_token');
  });

  it('shows an API call the same in both languages: every word of it is a protocol name', () => {
    const text = rowText({
      kind: 'api',
      service: 'worldmappers-api',
      fields: {
        clientId: 'store-locator',
        route: 'GET /api/directions',
        requiredScopes: 'directions',
        status: 403,
        reason: 'insufficient_scope',
      },
      exchange: {
        request: { headers: { authorization: 'Bearer sha256:abcd0123' } },
        response: { headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' } },
      },
    });
    expect(text.en).toBe(
      'store-locator → worldmappers-api  GET /api/directions  [directions]  403 insufficient_scope  WWW-Authenticate: Bearer error="insufficient_scope"',
    );
    expect(text.ja).toBe(text.en);
    expect(text).toMatchObject({ tone: 'deny', fingerprint: 'sha256:abcd0123' });
  });

  it("says the deliveries' log messages in Japanese, the failure's reason after 理由", () => {
    const planned = rowText({
      kind: 'delivery',
      message: 'delivery planned',
      fields: { route: 'Rovaniemi → Oslo, NO' },
    });
    expect(planned).toMatchObject({
      en: 'giftdeliveries  delivery planned  Rovaniemi → Oslo, NO',
      ja: 'giftdeliveries  配送を計画しました  Rovaniemi → Oslo, NO',
      tone: 'ok',
    });
    const failed = rowText({
      kind: 'delivery',
      message: 'delivery failed',
      fields: { destination: '京都', reason: 'no_route' },
    });
    expect(failed.en).toBe('giftdeliveries  delivery failed  京都 no_route');
    expect(failed.ja).toBe('giftdeliveries  配送に失敗しました  京都 理由：no_route');
    expect(failed.tone).toBe('warn');
    for (const message of [
      'delivery planning postponed',
      'sample deliveries enqueued (empty store, development)',
    ]) {
      expect(rowText({ kind: 'delivery', message, fields: {} }).ja).not.toMatch(/[a-z]{4,} [a-z]/);
    }
  });

  it('names the signing and the published keys in Japanese', () => {
    const text = rowText({
      kind: 'keys',
      message: 'signing keys changed',
      fields: { signing_kid: 'k2', published_kids: ['k2', 'k1'] },
    });
    expect(text.en).toBe('auth-server  signing keys changed  signing=k2 published=k2,k1');
    expect(text.ja).toBe('auth-server  署名鍵が変わりました  署名に使う鍵=k2 公開中の鍵=k2,k1');
    expect(
      rowText({ kind: 'keys', message: 'created a signing key', fields: { kid: 'k1' } }).ja,
    ).toBe('auth-server  署名鍵を作成しました  署名に使う鍵=k1 公開中の鍵=');
  });
});
