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
      });
    }
  });

  it('picks up a key rotated in at the issuer (an unknown kid fetches the JWKS again)', async () => {
    await issuer.rotate();
    const inspection = await inspectToken(await mint(), geocode, metadata);
    expect(inspection.verdict).toEqual({ status: 200 });
  });
});
