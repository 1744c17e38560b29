/**
 * The console's token inspector against a real local issuer (discovery + JWKS over HTTP, RS256
 * tokens): each of the five checks, and the verdict the API itself would give.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIssuerMetadata, type IssuerMetadata } from '@repo/issuer-metadata';
import {
  hs256WithPublicKey,
  startTestIssuer,
  tamperSignature,
  unsignedToken,
  type TestIssuer,
} from '@repo/testkit';
import { routeById, type RouteInfo } from '../src/catalog.js';
import { inspectToken, type Inspection } from '../src/inspector.js';
import { inspectErrorText, reasonText } from '../web/i18n.js';

let issuer: TestIssuer;
let metadata: IssuerMetadata;
const geocode = routeById('geocode') as RouteInfo;

beforeAll(async () => {
  issuer = await startTestIssuer();
  metadata = createIssuerMetadata({ issuer: issuer.issuer });
});

afterAll(async () => {
  await issuer.close();
});

const mint = (options: Parameters<TestIssuer['mint']>[0] = {}) =>
  issuer.mint({ audience: 'urn:worldmappers', scope: 'geocode:location', ...options });

/** Each check as `name ok`, for a compact comparison. */
const summary = (inspection: Inspection) =>
  inspection.checks.map((check) => `${check.name} ${check.ok ? 'ok' : 'fail'}`);

describe('inspectToken', () => {
  it('passes all five checks for a valid token: the API would answer 200', async () => {
    const inspection = await inspectToken(await mint(), geocode, metadata);
    expect(summary(inspection)).toEqual([
      'signature ok',
      'issuer ok',
      'audience ok',
      'expiry ok',
      'scope ok',
    ]);
    expect(inspection.verdict).toEqual({ status: 200 });
    expect(inspection.header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(inspection.claims).toMatchObject({ aud: 'urn:worldmappers', scope: 'geocode:location' });
  });

  it('says 403 insufficient_scope when only the scope is missing, naming both', async () => {
    const inspection = await inspectToken(await mint({ scope: 'directions' }), geocode, metadata);
    expect(inspection.verdict).toEqual({ status: 403, error: 'insufficient_scope' });
    expect(inspection.checks[4]).toEqual({
      name: 'scope',
      ok: false,
      code: 'scope-missing',
      params: { granted: 'directions', scope: 'geocode:location' },
      reason: 'scope is "directions", the route needs geocode:location',
    });
  });

  it.each([
    ['another audience', { audience: 'urn:giftdeliveries' }, 'audience'],
    ['another issuer', { issuer: 'http://127.0.0.1:9/' }, 'issuer'],
    ['an expired token', { expiresIn: -60 }, 'expiry'],
  ] as const)('says 401 invalid_token for %s', async (_name, options, failing) => {
    const inspection = await inspectToken(await mint(options), geocode, metadata);
    expect(inspection.verdict).toEqual({ status: 401, error: 'invalid_token' });
    expect(inspection.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual([
      failing,
    ]);
  });

  it('allows the same 5 s of clock skew as the APIs on exp', async () => {
    const now = Date.now();
    const token = await mint({ expiresIn: 60 });
    const justAfter = await inspectToken(token, geocode, metadata, now + 62_000);
    expect(justAfter.checks[3]).toMatchObject({ name: 'expiry', ok: true });
    const tooLate = await inspectToken(token, geocode, metadata, now + 70_000);
    expect(tooLate.checks[3]).toMatchObject({ name: 'expiry', ok: false });
  });

  it('refuses a tampered signature, a key the issuer does not publish, none and HS256', async () => {
    const good = await mint();
    const foreign = await issuer.foreignKey();
    const { keys } = (await metadata.keys()).jwks;
    const claims = {
      iss: issuer.issuer,
      aud: 'urn:worldmappers',
      scope: 'geocode:location',
      exp: Math.floor(Date.now() / 1000) + 300,
    };
    const forged = {
      tampered: tamperSignature(good),
      foreign: await mint({ key: foreign }),
      none: unsignedToken({ alg: 'none', typ: 'at+jwt' }, claims),
      hs256: await hs256WithPublicKey(keys[0]!, { kid: keys[0]!.kid, typ: 'at+jwt' }, claims),
    };
    const reasons: Record<string, string> = {};
    for (const [name, token] of Object.entries(forged)) {
      const inspection = await inspectToken(token, geocode, metadata);
      expect({ name, verdict: inspection.verdict }).toEqual({
        name,
        verdict: { status: 401, error: 'invalid_token' },
      });
      expect(inspection.checks[0]!.ok).toBe(false);
      reasons[name] = inspection.checks[0]!.reason;
    }
    expect(reasons.foreign).toBe(`no key with kid "${foreign.kid}" in the issuer's JWKS`);
    expect(reasons.none).toBe('alg none is never accepted');
    expect(reasons.hs256).toBe('alg HS256 is never accepted');
    expect(reasons.tampered).toMatch(/^does not verify with kid /);
  });

  it('answers text that is not a JWT with 401 and one sentence, no checks', async () => {
    for (const text of ['', 'hello', 'a.b', '...']) {
      expect(await inspectToken(text, geocode, metadata)).toEqual({
        checks: [],
        verdict: { status: 401, error: 'invalid_token' },
        error: 'This is not a JWT (three base64url parts, a JSON header and claims).',
        errorCode: 'not-a-jwt',
      });
    }
  });

  it('picks up a key rotated in at the issuer (an unknown kid fetches the JWKS again)', async () => {
    await issuer.rotate();
    const inspection = await inspectToken(await mint(), geocode, metadata);
    expect(inspection.verdict).toEqual({ status: 200 });
  });

  it('words every reason in Japanese on the Japanese page, and as the API does in English', async () => {
    const foreign = await issuer.foreignKey();
    const tokens = [
      await mint(),
      await mint({ scope: 'directions' }),
      await mint({ audience: 'urn:giftdeliveries', issuer: 'http://127.0.0.1:9/', expiresIn: -60 }),
      tamperSignature(await mint()),
      await mint({ key: foreign }),
      unsignedToken({ alg: 'none', typ: 'at+jwt' }, { iss: issuer.issuer }),
    ];
    const japanese = /[\u3040-\u30ff\u4e00-\u9fff]/;
    const codes = new Set<string>();
    for (const token of tokens) {
      for (const check of (await inspectToken(token, geocode, metadata)).checks) {
        codes.add(check.code);
        expect(reasonText(check, 'en')).toBe(check.reason);
        const ja = reasonText(check, 'ja');
        expect({ code: check.code, ja }).toEqual({
          code: check.code,
          ja: expect.stringMatching(japanese),
        });
        expect(ja).not.toBe(check.reason);
      }
    }
    // The reasons of passed checks and of each kind of failure were all seen.
    expect([...codes].sort()).toEqual([
      'alg-refused',
      'audience-ok',
      'audience-wrong',
      'expiry-missing',
      'expiry-ok',
      'expiry-passed',
      'issuer-ok',
      'issuer-wrong',
      'no-key',
      'scope-missing',
      'scope-ok',
      'signature-invalid',
      'signature-verified',
    ]);
    const narrow = await inspectToken(await mint({ scope: 'directions' }), geocode, metadata);
    expect(reasonText(narrow.checks[4]!, 'ja')).toBe(
      'scope は "directions" ですが、このルートには geocode:location が必要です',
    );
    const tampered = await inspectToken(tamperSignature(await mint()), geocode, metadata);
    expect(reasonText(tampered.checks[0]!, 'ja')).toMatch(
      /の鍵で検証できません：署名が一致しません/,
    );
  });

  it('says why there are no checks in Japanese too', async () => {
    const answer = await inspectToken('hello', geocode, metadata);
    expect(inspectErrorText(answer, 'en')).toBe(answer.error);
    expect(inspectErrorText(answer, 'ja')).toMatch(/^JWT ではありません/);
    // The console API's refusals, known by their English description.
    const refusal = {
      error: 'invalid_request',
      error_description: 'Paste a token, or pick one the console obtained.',
    };
    expect(inspectErrorText(refusal, 'en')).toBe(refusal.error_description);
    expect(inspectErrorText(refusal, 'ja')).toMatch(/^トークンを貼り付けるか/);
    expect(inspectErrorText({ error_description: 'Something else.' }, 'ja')).toBe(
      'Something else.',
    );
  });
});
