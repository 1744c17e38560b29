import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createIssuerMetadata,
  discoveryUrls,
  IssuerMetadataError,
  IssuerUnavailableError,
  type IssuerMetadataOptions,
} from '../src/index.js';

const ISSUER = 'http://auth.test/tenant/';
const OIDC = 'http://auth.test/tenant/.well-known/openid-configuration';
const RFC8414 = 'http://auth.test/.well-known/oauth-authorization-server/tenant';
const JWKS = 'http://auth.test/tenant/jwks';
const key = (kid: string) => ({ kty: 'RSA', kid, n: 'AQAB', e: 'AQAB' });

/** A fake authorization server behind `fetch`: answers per URL, counts requests per URL. */
function fakeIssuer(options: Partial<IssuerMetadataOptions> = {}) {
  const answers = new Map<string, () => Response>([
    [
      OIDC,
      () => Response.json({ issuer: ISSUER, jwks_uri: JWKS, token_endpoint: `${ISSUER}token` }),
    ],
    [JWKS, () => Response.json({ keys: jwks })],
  ]);
  let jwks = [key('a')];
  const hits: Record<string, number> = {};
  const fetch = async (input: string | URL | Request) => {
    const url = String(input);
    hits[url] = (hits[url] ?? 0) + 1;
    return answers.get(url)?.() ?? new Response('{}', { status: 404 });
  };
  const metadata = createIssuerMetadata({ issuer: ISSUER, fetch, ...options });
  return {
    metadata,
    answers,
    hits,
    setKeys: (kids: string[]) => (jwks = kids.map(key)),
  };
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('discoveryUrls', () => {
  it('asks OpenID Connect Discovery first, then RFC 8414, under the issuer path', () => {
    expect(discoveryUrls('http://auth.test/tenant')).toEqual([OIDC, RFC8414]);
    expect(discoveryUrls('http://auth.test/')).toEqual([
      'http://auth.test/.well-known/openid-configuration',
      'http://auth.test/.well-known/oauth-authorization-server',
    ]);
  });
});

describe('createIssuerMetadata', () => {
  it('fetches discovery once for every caller and again only after maxAgeMs', async () => {
    const { metadata, hits } = fakeIssuer({ maxAgeMs: 60_000 });
    const [a, b] = await Promise.all([metadata.tokenEndpoint(), metadata.tokenEndpoint()]);
    expect(a).toBe(`${ISSUER}token`);
    expect(b).toBe(a);
    vi.advanceTimersByTime(59_999);
    await metadata.document();
    expect(hits[OIDC]).toBe(1);
    vi.advanceTimersByTime(1);
    await metadata.document();
    expect(metadata.stats()).toEqual({ documentRequests: 2, keysRequests: 0 });
  });

  it('falls back to the RFC 8414 location when there is no OpenID configuration', async () => {
    const { metadata, answers } = fakeIssuer();
    answers.set(RFC8414, answers.get(OIDC)!);
    answers.delete(OIDC);
    expect(await metadata.document()).toMatchObject({ url: RFC8414 });
  });

  it('tells a transient failure from an unusable answer', async () => {
    const { metadata, answers } = fakeIssuer();
    answers.set(OIDC, () => new Response('', { status: 503, headers: { 'retry-after': '7' } }));
    const down = await metadata.document().catch((e: unknown) => e);
    expect(down).toBeInstanceOf(IssuerUnavailableError);
    expect(down).toMatchObject({
      message: 'discovery document answered HTTP 503',
      retryAfter: '7',
    });

    answers.delete(OIDC);
    const missing = await metadata.document().catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(IssuerMetadataError);
    expect((missing as Error).message).toBe('discovery document answered HTTP 404');

    answers.set(OIDC, () => Response.json({ issuer: ISSUER, token_endpoint: 'ftp://x/' }));
    await expect(metadata.tokenEndpoint()).rejects.toThrow(
      `the discovery document at ${OIDC} names no usable token_endpoint`,
    );
  });

  it('keeps one KeySet object until the keys really change', async () => {
    const { metadata, setKeys } = fakeIssuer();
    const first = await metadata.keys();
    expect([...first.kids]).toEqual(['a']);
    expect((await metadata.refresh()).keys).toBe(first);
    setKeys(['a', 'b']);
    const second = (await metadata.refresh()).keys;
    expect(second).not.toBe(first);
    expect([...second.kids]).toEqual(['a', 'b']);
  });

  it('fetches the JWKS again for an unknown kid, at most once per cooldown', async () => {
    const { metadata, hits, setKeys } = fakeIssuer({ keysCooldownMs: 1_000 });
    await metadata.keys();
    setKeys(['a', 'rotated']);
    // Within the cooldown, every request for the new kid waits for its end and shares one fetch.
    const waiting = Array.from({ length: 5 }, () => metadata.keys('rotated'));
    await vi.advanceTimersByTimeAsync(1_000);
    const sets = await Promise.all(waiting);
    expect(sets.every((set) => set.kids.has('rotated'))).toBe(true);
    expect(hits[JWKS]).toBe(2);
    // A forged kid, right after: waits for the cooldown, fetches once, still unknown.
    const forged = metadata.keys('forged');
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await forged).kids.has('forged')).toBe(false);
    expect(hits[JWKS]).toBe(3);
  });

  it('looks again after the cooldown even when its timer fires before Date.now() shows it over', async () => {
    // Node schedules timers from the event loop's cached time, so after a busy tick a timer can
    // fire some milliseconds before Date.now() reaches its end (CI saw a rotated key refused).
    const { metadata, hits, setKeys } = fakeIssuer({ keysCooldownMs: 1_000 });
    await metadata.keys();
    vi.advanceTimersByTime(300);
    setKeys(['a', 'rotated']);
    const waiting = metadata.keys('rotated');
    vi.setSystemTime(Date.now() - 5);
    await vi.advanceTimersByTimeAsync(700);
    expect((await waiting).kids.has('rotated')).toBe(true);
    expect(hits[JWKS]).toBe(2);
  });

  it('confirms the keys in the background while in use, and stops vouching after maxAgeMs', async () => {
    const { metadata, answers, hits } = fakeIssuer({ keysRefreshMs: 30_000, maxAgeMs: 60_000 });
    const keys = await metadata.keys();
    expect(metadata.currentKeys()).toBe(keys);
    vi.advanceTimersByTime(30_000);
    expect(metadata.currentKeys()).toBe(keys);
    await vi.advanceTimersByTimeAsync(0);
    expect(hits[JWKS]).toBe(2);

    answers.set(JWKS, () => new Response('', { status: 500 }));
    vi.advanceTimersByTime(59_999);
    expect(metadata.currentKeys()).toBe(keys);
    vi.advanceTimersByTime(1);
    expect(metadata.currentKeys()).toBeUndefined();
    await expect(metadata.keys()).rejects.toBeInstanceOf(IssuerUnavailableError);
  });
});
