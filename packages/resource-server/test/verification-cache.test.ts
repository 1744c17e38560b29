import express from 'express';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorHandler } from '@repo/http';
import { createIssuerMetadata } from '@repo/issuer-metadata';
import {
  startTestIssuer,
  tamperPayload,
  tamperSignature,
  testLogger,
  type TestIssuer,
} from '@repo/testkit';
import { DPOP_PROOF_ALGS, protectApi, type ProtectApiOptions } from '../src/index.js';
import { SignatureCheck } from '../src/signature-check.js';

const AUDIENCE = 'urn:test';
const realm = `realm="${AUDIENCE}"`;
/** What follows the Bearer challenge where DPoP is allowed too (RFC 9449 §7.1). */
const DPOP_CHALLENGE = `, DPoP ${realm}, algs="${DPOP_PROOF_ALGS.join(' ')}"`;
const { logger, lines } = testLogger();
const bearerErrors = errorHandler(logger);

let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(() => issuer.close());
afterEach(() => {
  vi.useRealTimers();
});

/** An app with two routes needing different scopes, protected as shipped. */
function build(options: Partial<ProtectApiOptions> = {}) {
  const metadata = createIssuerMetadata({ issuer: issuer.issuer, keysCooldownMs: 0 });
  const api = protectApi({ issuerMetadata: metadata, audience: AUDIENCE, logger, ...options });
  const app = express();
  app.use('/api', api.authenticate);
  app.get('/api/read', api.requireScopes('things:read'), (req, res) => {
    res.json({ ok: true, frozen: Object.isFrozen(req.auth?.payload) });
  });
  app.get('/api/write', api.requireScopes('things:write'), (_req, res) => {
    res.json({ ok: true });
  });
  app.use(bearerErrors);
  const cache = api.verificationCache!;
  const get = (token: string, path = '/api/read') =>
    request(app).get(path).set('Authorization', `Bearer ${token}`);
  /** Verifies `token` fully once the keys are known, so the next request is a hit. */
  const prime = async (token: string) => {
    expect((await get(token)).status).toBe(200);
    expect((await get(token)).status).toBe(200);
  };
  return { api, app, cache, metadata, get, prime };
}

/** The library's answer to a request carrying a token in two places. */
const SECOND_TOKEN_REFUSED = {
  error: 'invalid_request',
  error_description: 'More than one method used for authentication',
};

const mint = (options: Parameters<TestIssuer['mint']>[0] = {}) =>
  issuer.mint({ audience: AUDIENCE, scope: 'things:read', ...options });

describe('the verification cache of protectApi', () => {
  it('answers a token it verified before without verifying it again, and still audits', async () => {
    const { cache, get, prime } = build();
    const token = await mint();
    await prime(token);
    lines.length = 0;
    const before = cache.stats();
    const res = await get(token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, frozen: true });
    expect(cache.stats()).toMatchObject({ hits: before.hits + 1, stored: before.stored, size: 1 });
    expect(lines.filter((l) => l.audit === true)).toEqual([
      expect.objectContaining({ decision: 'allow', status: 200, route: 'GET /api/read' }),
    ]);
  });

  it('is on by default with 10 000 entries, can be sized, and can be turned off', () => {
    const base = { issuerBaseURL: issuer.issuer, audience: AUDIENCE, logger };
    expect(protectApi(base).verificationCache?.maxEntries).toBe(10_000);
    expect(protectApi(base).verificationCache?.maxTokenLength).toBe(4_096);
    expect(
      protectApi({ ...base, verificationCache: { maxEntries: 7 } }).verificationCache?.maxEntries,
    ).toBe(7);
    expect(protectApi({ ...base, verificationCache: false }).verificationCache).toBeUndefined();
    expect(() => protectApi({ ...base, verificationCache: { maxEntries: 0 } })).toThrow(
      /maxEntries must be a positive integer/,
    );
  });

  it('stops honouring a cached token as soon as it expires, with the library clock tolerance', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date());
    const { cache, get, prime } = build({ clockToleranceSec: 5 });
    const token = await mint({ expiresIn: 60 });
    const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp as number;
    await prime(token);

    // Still within the 5 s tolerance after exp: answered from the cache.
    vi.setSystemTime(exp * 1000 + 4_999);
    const hits = cache.stats().hits;
    expect((await get(token)).status).toBe(200);
    expect(cache.stats().hits).toBe(hits + 1);

    // At exp + tolerance jose refuses; so must the cache, which drops the entry.
    vi.setSystemTime(exp * 1000 + 5_000);
    const res = await get(token);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: 'invalid_token',
      error_description: '"exp" claim timestamp check failed',
    });
    expect(res.headers['www-authenticate']).toBe(
      `Bearer ${realm}, error="invalid_token", error_description="'exp' claim timestamp check failed"${DPOP_CHALLENGE}`,
    );
    expect(cache.stats()).toMatchObject({ hits: hits + 1, expired: 1, size: 0 });
  });

  it('verifies a token differing by one character from scratch, and refuses it', async () => {
    const { cache, get, prime } = build();
    const token = await mint();
    await prime(token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const i = 20;
    const changed = signature[i] === 'A' ? 'B' : 'A';
    const forged = `${header}.${payload}.${signature.slice(0, i)}${changed}${signature.slice(i + 1)}`;
    const before = cache.stats();

    const res = await get(forged);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: 'invalid_token',
      error_description: 'signature verification failed',
    });
    expect(cache.stats()).toMatchObject({
      hits: before.hits,
      misses: before.misses + 1,
      stored: before.stored,
      size: 1,
    });
    // Failures are never remembered: the same forgery is verified (and refused) again.
    expect((await get(forged)).status).toBe(401);
    expect(cache.stats()).toMatchObject({ hits: before.hits, stored: before.stored });
  });

  it('refuses a forged signature before the library in the words and audit the library gives', async () => {
    const refutes = vi.spyOn(SignatureCheck.prototype, 'refutes');
    const shipped = build();
    const library = build({ verificationCache: false });
    const genuine = await mint();
    await shipped.prime(genuine);
    expect((await library.get(genuine)).status).toBe(200);
    const forgeries = [
      tamperSignature(genuine),
      tamperPayload(genuine, (p) => ({ ...p, scope: 'things:read things:write' })),
    ];
    for (const forged of forgeries) {
      lines.length = 0;
      const fast = await shipped.get(forged);
      const fastAudit = lines.find((l) => l.audit === true);
      lines.length = 0;
      const slow = await library.get(forged);
      const slowAudit = lines.find((l) => l.audit === true);
      expect(fast.status).toBe(401);
      expect(fast.body).toEqual({
        error: 'invalid_token',
        error_description: 'signature verification failed',
      });
      expect([fast.status, fast.body, fast.headers['www-authenticate']]).toEqual([
        slow.status,
        slow.body,
        slow.headers['www-authenticate'],
      ]);
      const audit = { decision: 'deny', reason: 'invalid_token: signature verification failed' };
      expect(fastAudit).toMatchObject(audit);
      expect(slowAudit).toMatchObject(audit);
    }
    // The shipped app's check refuted both; the library's app has no cache, so none ran there.
    const verdicts = refutes.mock.results.map((r) => r.value as boolean);
    refutes.mockRestore();
    expect(verdicts.slice(-2)).toEqual([true, true]);
    expect(verdicts.slice(0, -2).every((refuted) => !refuted)).toBe(true);
    expect(shipped.cache.stats()).toMatchObject({ stored: 1, size: 1 });
  });

  it("misses for a token that shares the cached one's tail but differs earlier", async () => {
    const { cache, get, prime } = build();
    const token = await mint();
    await prime(token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    // Same last characters (the index), one character changed in the claims.
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const altered = Buffer.from(JSON.stringify({ ...claims, scope: 'things:read things:write' }));
    const forged = `${header}.${altered.toString('base64url')}.${signature}`;
    expect(forged.slice(-32)).toBe(token.slice(-32));
    const before = cache.stats();
    const res = await get(forged, '/api/write');
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_token');
    expect(cache.stats()).toMatchObject({ hits: before.hits, misses: before.misses + 1, size: 1 });
    // The genuine token is still answered from the cache.
    expect((await get(token)).status).toBe(200);
    expect(cache.stats().hits).toBe(before.hits + 1);
  });

  it('checks scopes on every request, cached or not', async () => {
    const { cache, get, prime } = build();
    const token = await mint({ scope: 'things:read' });
    await prime(token);
    const hits = cache.stats().hits;
    const res = await get(token, '/api/write');
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer ${realm}, error="insufficient_scope", error_description="The access token lacks the required scope: things:write.", scope="things:write"${DPOP_CHALLENGE}`,
    );
    expect(res.body).toEqual({
      error: 'insufficient_scope',
      error_description: 'The access token lacks the required scope: things:write.',
    });
    expect(cache.stats().hits).toBe(hits + 1);
  });

  it('keeps memory bounded under a flood of distinct tokens, evicting the oldest', async () => {
    const { cache, get, prime } = build({ verificationCache: { maxEntries: 20 } });
    const first = await mint();
    await prime(first);
    const flood = await Promise.all(Array.from({ length: 60 }, () => mint()));
    for (const token of flood) expect((await get(token)).status).toBe(200);
    expect(cache.stats()).toMatchObject({ size: 20, maxEntries: 20, evicted: 41 });

    const hits = cache.stats().hits;
    expect((await get(flood.at(-1)!)).status).toBe(200);
    expect(cache.stats().hits).toBe(hits + 1);
    // The oldest entry went first: the first token is verified again from scratch.
    const misses = cache.stats().misses;
    expect((await get(first)).status).toBe(200);
    expect(cache.stats()).toMatchObject({ hits: hits + 1, misses: misses + 1, size: 20 });
  });

  it('keeps a token in use through a flood of others (second chance for entries hit lately)', async () => {
    const { cache, get, prime } = build({ verificationCache: { maxEntries: 5 } });
    const hot = await mint();
    await prime(hot);
    const flood = await Promise.all(Array.from({ length: 30 }, () => mint()));
    for (const token of flood) {
      expect((await get(token)).status).toBe(200);
      const hits = cache.stats().hits;
      expect((await get(hot)).status).toBe(200);
      expect(cache.stats().hits).toBe(hits + 1);
    }
    expect(cache.stats()).toMatchObject({ size: 5, evicted: 26 });
  });

  it('never stores a token longer than maxTokenLength', async () => {
    const { cache, get, prime } = build({ verificationCache: { maxTokenLength: 2_000 } });
    await prime(await mint());
    const long = await mint({ claims: { padding: 'x'.repeat(2_000) } });
    expect(long.length).toBeGreaterThan(2_000);
    const stored = cache.stats().stored;
    for (let i = 0; i < 3; i++) expect((await get(long)).status).toBe(200);
    expect(cache.stats()).toMatchObject({ stored, size: 1 });
  });

  it('leaves requests carrying a second token to the library, which refuses them', async () => {
    const { cache, app, prime } = build();
    const token = await mint();
    await prime(token);
    const hits = cache.stats().hits;
    const res = await request(app)
      .get('/api/read?access_token=other')
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(SECOND_TOKEN_REFUSED);
    expect(cache.stats().hits).toBe(hits);
  });

  it('leaves a form body carrying a second token to the library, which refuses it', async () => {
    const { api, cache, prime } = build();
    const token = await mint();
    await prime(token);
    const form = express();
    form.use(express.urlencoded({ extended: false }));
    form.post('/api/read', api.authenticate, (_req, res) => {
      res.json({ ok: true });
    });
    form.use(bearerErrors);
    const hits = cache.stats().hits;
    const res = await request(form)
      .post('/api/read')
      .set('Authorization', `Bearer ${token}`)
      .type('form')
      .send({ access_token: 'other' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(SECOND_TOKEN_REFUSED);
    expect(cache.stats().hits).toBe(hits);
  });

  it('leaves a request whose path the library would refuse to the library, even for a cached token', async () => {
    const { api, cache, prime } = build();
    const token = await mint();
    await prime(token);
    const everywhere = express();
    everywhere.use(api.authenticate);
    everywhere.use((_req, res) => {
      res.json({ ok: true });
    });
    everywhere.use(bearerErrors);
    const server = everywhere.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const call = (path: string) =>
        request(server).get(path).set('Authorization', `Bearer ${token}`);
      const hits = cache.stats().hits;
      expect((await call('/read')).status).toBe(200);
      expect(cache.stats().hits).toBe(hits + 1);
      const res = await call('//read');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'invalid_request',
        error_description: 'Invalid request URL: Path must not start with "//"',
      });
      expect(cache.stats().hits).toBe(hits + 1);
    } finally {
      server.close();
    }
  });

  it('empties itself when the JWKS changes, and honours no withdrawn key', async () => {
    const { cache, metadata, get, prime } = build();
    const token = await mint();
    await prime(token);
    const before = cache.stats();

    await issuer.rotate({ retire: true });
    await metadata.refresh();
    // The library verifies with the same JWKS the cache was emptied for: the old key is gone.
    const res = await get(token);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: 'invalid_token',
      error_description: 'no applicable key found in the JSON Web Key Set',
    });
    expect(cache.stats()).toMatchObject({
      size: 0,
      hits: before.hits,
      stored: before.stored,
      flushes: before.flushes + 1,
    });
    expect(lines).toContainEqual(
      expect.objectContaining({
        message: 'verification cache emptied',
        reason: 'the JWKS changed',
      }),
    );

    // A token of the new key is stored and answered again.
    const fresh = await mint();
    await prime(fresh);
    const hits = cache.stats().hits;
    expect((await get(fresh)).status).toBe(200);
    expect(cache.stats()).toMatchObject({ size: 1, hits: hits + 1 });
  });

  it('looks at the JWKS again in the background every 30 s while in use', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { cache, metadata, get, prime } = build();
    const token = await mint({ expiresIn: 3_600 });
    await prime(token);
    const keys = metadata.currentKeys();
    await issuer.rotate();
    vi.setSystemTime(Date.now() + 30_000);
    // Answered from the cache while the JWKS is fetched again behind it.
    const hits = cache.stats().hits;
    expect((await get(token)).status).toBe(200);
    expect(cache.stats().hits).toBe(hits + 1);
    await vi.waitFor(() => expect(metadata.currentKeys()).not.toBe(keys));
    expect((await get(token)).status).toBe(200);
    expect(cache.stats()).toMatchObject({ hits: hits + 1, size: 1, flushes: 1 });
  });

  it('stops answering when the JWKS cannot be confirmed for cacheMaxAge', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date());
    const own = await startTestIssuer();
    try {
      const api = protectApi({
        issuerBaseURL: own.issuer,
        audience: AUDIENCE,
        logger,
        cacheMaxAgeMs: 60_000,
      });
      const app = express();
      app.get('/api/read', api.authenticate, api.requireScopes('things:read'), (_req, res) => {
        res.json({ ok: true });
      });
      app.use(bearerErrors);
      const cache = api.verificationCache!;
      const token = await own.mint({ audience: AUDIENCE, scope: 'things:read' });
      const get = () => request(app).get('/api/read').set('Authorization', `Bearer ${token}`);
      expect((await get()).status).toBe(200);
      expect((await get()).status).toBe(200);
      expect((await get()).status).toBe(200);
      expect(cache.stats()).toMatchObject({ hits: 1, size: 1 });

      own.setDown(true);
      vi.setSystemTime(Date.now() + 60_000);
      const res = await get();
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body.error).toBe('temporarily_unavailable');
      expect(cache.stats()).toMatchObject({ hits: 1, size: 0, flushes: 1 });
      expect(lines).toContainEqual(
        expect.objectContaining({
          message: 'verification cache emptied',
          reason: 'the JWKS could not be confirmed',
        }),
      );
    } finally {
      await own.close();
    }
  });
});
