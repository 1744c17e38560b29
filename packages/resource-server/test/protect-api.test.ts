import { EventEmitter } from 'node:events';
import express, { type Request, type Response } from 'express';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { errorHandler, HttpError } from '@repo/http';
import { requestLogger } from '@repo/logger';
import { startTestIssuer, testLogger, type TestIssuer } from '@repo/testkit';
import {
  DPOP_BOUND_AS_BEARER,
  DPOP_PROOF_ALGS,
  protectApi,
  SENDER_CONSTRAINED,
} from '../src/index.js';
import { advancingTime } from './advancing-time.js';

const AUDIENCE = 'urn:test';
const { logger, lines } = testLogger();
const audits = () => lines.filter((l) => l.audit === true);
const bearerErrors = errorHandler(logger);

let issuer: TestIssuer;
let app: express.Express;
let api: ReturnType<typeof protectApi>;

beforeAll(async () => {
  issuer = await startTestIssuer();
  api = protectApi({
    issuerBaseURL: issuer.issuer,
    audience: AUDIENCE,
    logger,
    jwksCooldownMs: 0,
  });
  app = express();
  app.use('/api', api.authenticate);
  app.get('/api/read', api.requireScopes('things:read'), (req, res) => {
    res.json({ ok: true, client: req.auth?.payload.client_id });
  });
  app.get('/api/whoami', (req, res) => {
    res.json({ client: req.auth?.payload.client_id, scope: req.auth?.payload.scope });
  });
  app.use(bearerErrors);
});
afterAll(() => issuer.close());
beforeEach(() => {
  lines.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

const realm = `realm="${AUDIENCE}"`;
/** What follows the Bearer challenge where DPoP is allowed too (RFC 9449 §7.1). */
const DPOP_CHALLENGE = `, DPoP ${realm}, algs="${DPOP_PROOF_ALGS.join(' ')}"`;

describe('protectApi', () => {
  it('lets a token with the audience and the scope through and audits an allow', async () => {
    const token = await issuer.mint({
      audience: AUDIENCE,
      scope: 'things:read other',
      clientId: 'c1',
    });
    const res = await request(app).get('/api/read?x=1').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, client: 'c1' });
    expect(audits()).toEqual([
      expect.objectContaining({
        audit: true,
        clientId: 'c1',
        route: 'GET /api/read',
        scopes: 'things:read other',
        requiredScopes: 'things:read',
        decision: 'allow',
        status: 200,
        durationMs: expect.any(Number),
      }),
    ]);
  });

  it('hands handlers the same req.auth whether the token was verified or found in the cache', async () => {
    const token = await issuer.mint({ audience: AUDIENCE, scope: 'things:read', clientId: 'c9' });
    // Once the keys are known, the first request goes through the library's verification and
    // is remembered, the second is a cache hit.
    await request(app).get('/api/whoami');
    const hits = api.verificationCache!.stats().hits;
    for (let i = 0; i < 2; i++) {
      const res = await request(app).get('/api/whoami').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ client: 'c9', scope: 'things:read' });
    }
    expect(api.verificationCache!.stats().hits).toBe(hits + 1);
  });

  it('answers a request without a token with 401 and a bare challenge', async () => {
    const res = await request(app).get('/api/read');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(`Bearer ${realm}${DPOP_CHALLENGE}`);
    expect(res.body).toEqual({
      error: 'invalid_token',
      error_description: 'An access token is required: send it as "Authorization: Bearer <token>".',
    });
    expect(audits()).toEqual([
      expect.objectContaining({ decision: 'deny', status: 401, route: 'GET /api/read' }),
    ]);
    expect(audits()[0]?.reason).toMatch(/^invalid_token: An access token is required/);
  });

  it('refuses a request without credentials at once, without running the library', () => {
    // The library's middleware is asynchronous: a refusal handed to next before authenticate
    // returns was made without it (and without any key).
    const res = Object.assign(new EventEmitter(), { statusCode: 200 });
    const req = {
      method: 'GET',
      url: '/read',
      originalUrl: '/api/read',
      headers: { host: '127.0.0.1:7001' },
      rawHeaders: ['Host', '127.0.0.1:7001'],
      query: {},
    };
    const next = vi.fn();
    api.authenticate(req as unknown as Request, res as unknown as Response, next);
    expect(next).toHaveBeenCalledTimes(1);
    const refusal = next.mock.calls[0]![0] as HttpError;
    expect(refusal).toBeInstanceOf(HttpError);
    expect(refusal).toMatchObject({
      status: 401,
      code: 'invalid_token',
      message: 'An access token is required: send it as "Authorization: Bearer <token>".',
      headers: { 'WWW-Authenticate': `Bearer ${realm}${DPOP_CHALLENGE}` },
    });
    expect(refusal.stack).not.toMatch(/\n\s+at /);
  });

  it('leaves a request without credentials but with a host the library refuses to it', async () => {
    const res = await request(app).get('/api/read').set('Host', 'bad_host!');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it('refuses a request without credentials behind a proxy with 401, without asking the issuer', async () => {
    // An unreachable issuer would turn any look at the keys into 503 temporarily_unavailable.
    const offline = protectApi({
      issuerBaseURL: 'http://127.0.0.1:9/',
      audience: AUDIENCE,
      logger,
      timeoutMs: 200,
    });
    const proxied = express();
    proxied.use('/api', offline.authenticate, (_req, res) => {
      res.json({ ok: true });
    });
    proxied.use(bearerErrors);
    const res = await request(proxied).get('/api/read').set('X-Forwarded-Proto', 'https');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(`Bearer ${realm}${DPOP_CHALLENGE}`);
    expect(res.body.error).toBe('invalid_token');
  });

  it('treats another authentication scheme like a missing token', async () => {
    const res = await request(app).get('/api/read').set('Authorization', 'Basic Zm9vOmJhcg==');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(`Bearer ${realm}${DPOP_CHALLENGE}`);
    expect(res.body.error).toBe('invalid_token');
  });

  it.each([
    ['a malformed token', async () => 'not-a-jwt', 'Invalid Token or Protected Header formatting'],
    [
      'a token for another audience',
      () => issuer.mint({ audience: 'urn:other', scope: 'things:read' }),
      "Unexpected 'aud' value",
    ],
    [
      'a token from another issuer',
      () =>
        issuer.mint({ audience: AUDIENCE, issuer: 'https://evil.example/', scope: 'things:read' }),
      "Unexpected 'iss' value",
    ],
    [
      'an expired token',
      () => issuer.mint({ audience: AUDIENCE, scope: 'things:read', expiresIn: -120 }),
      '"exp" claim timestamp check failed',
    ],
  ])('refuses %s with 401 invalid_token', async (_name, mint, description) => {
    const token = await mint();
    const res = await request(app).get('/api/read').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    const safe = description.replace(/"/g, "'");
    expect(res.headers['www-authenticate']).toBe(
      `Bearer ${realm}, error="invalid_token", error_description="${safe}"${DPOP_CHALLENGE}`,
    );
    expect(res.body).toEqual({ error: 'invalid_token', error_description: description });
  });

  it('refuses a token signed by a key the issuer does not publish', async () => {
    const token = await issuer.mint({
      audience: AUDIENCE,
      scope: 'things:read',
      key: await issuer.foreignKey(),
    });
    const res = await request(app).get('/api/read').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(
      new RegExp(`^Bearer ${realm}, error="invalid_token", error_description=".+"$`),
    );
    expect(res.body.error).toBe('invalid_token');
  });

  it('answers a valid token without the scope with 403 insufficient_scope naming the scope', async () => {
    const token = await issuer.mint({ audience: AUDIENCE, scope: 'things:write', clientId: 'c2' });
    const res = await request(app).get('/api/read').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer ${realm}, error="insufficient_scope", error_description="The access token lacks the required scope: things:read.", scope="things:read"${DPOP_CHALLENGE}`,
    );
    expect(res.body).toEqual({
      error: 'insufficient_scope',
      error_description: 'The access token lacks the required scope: things:read.',
    });
    expect(audits()).toEqual([
      expect.objectContaining({
        clientId: 'c2',
        decision: 'deny',
        reason: 'insufficient_scope: The access token lacks the required scope: things:read.',
        scopes: 'things:write',
        status: 403,
      }),
    ]);
  });

  it('answers a token without any scope claim with 403', async () => {
    const token = await issuer.mint({ audience: AUDIENCE });
    const res = await request(app).get('/api/read').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('insufficient_scope');
  });

  it('picks up a key rotated on the authorization server without a restart', async () => {
    const before = await issuer.mint({ audience: AUDIENCE, scope: 'things:read' });
    expect(
      (await request(app).get('/api/read').set('Authorization', `Bearer ${before}`)).status,
    ).toBe(200);
    const fetched = issuer.hits['/.well-known/jwks.json'] ?? 0;
    await issuer.rotate({ retire: true });
    const after = await issuer.mint({ audience: AUDIENCE, scope: 'things:read' });
    const res = await request(app).get('/api/read').set('Authorization', `Bearer ${after}`);
    expect(res.status).toBe(200);
    // One refetch by the library; the verification cache may add its own look at the new kid.
    expect(issuer.hits['/.well-known/jwks.json']).toBeGreaterThanOrEqual(fetched + 1);
    expect(issuer.hits['/.well-known/jwks.json']).toBeLessThanOrEqual(fetched + 2);
  });

  it('accepts a key rotated in during the JWKS cooldown by waiting for its end, not with a 401', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const rotating = await startTestIssuer();
    try {
      const api = protectApi({
        issuerBaseURL: rotating.issuer,
        audience: AUDIENCE,
        logger,
        jwksCooldownMs: 2_000,
        verificationCache: false,
      });
      const rotatingApp = express();
      rotatingApp.get(
        '/api/read',
        api.authenticate,
        api.requireScopes('things:read'),
        (_req, res) => {
          res.json({ ok: true });
        },
      );
      rotatingApp.use(bearerErrors);
      const call = (token: string) =>
        request(rotatingApp).get('/api/read').set('Authorization', `Bearer ${token}`);
      const next = await rotating.foreignKey();
      const before = await rotating.mint({ audience: AUDIENCE, scope: 'things:read' });
      expect((await call(before)).status).toBe(200);
      await rotating.rotate({ key: next });
      const after = await rotating.mint({ audience: AUDIENCE, scope: 'things:read' });
      const res = await advancingTime(call(after));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true });
      const forged = await rotating.mint({
        audience: AUDIENCE,
        scope: 'things:read',
        key: await rotating.foreignKey(),
      });
      const refused = await advancingTime(call(forged));
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({
        error: 'invalid_token',
        error_description: 'no applicable key found in the JSON Web Key Set',
      });
    } finally {
      await rotating.close();
    }
  });

  it('puts the audit on the request log line when requestLogger handles the request', async () => {
    const api = protectApi({ issuerBaseURL: issuer.issuer, audience: AUDIENCE, logger });
    const logged = express();
    logged.use(requestLogger(logger));
    logged.get('/api/read', api.authenticate, api.requireScopes('things:read'), (_req, res) => {
      res.json({ ok: true });
    });
    logged.use(bearerErrors);
    const token = await issuer.mint({ audience: AUDIENCE, scope: 'things:read', clientId: 'c9' });
    const res = await request(logged).get('/api/read').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([
      expect.objectContaining({
        message: 'request',
        method: 'GET',
        path: '/api/read',
        status: 200,
        audit: true,
        clientId: 'c9',
        route: 'GET /api/read',
        requiredScopes: 'things:read',
        decision: 'allow',
      }),
    ]);
  });

  it('keeps the audits of two protected APIs in one app apart', async () => {
    const outer = protectApi({ issuerBaseURL: issuer.issuer, audience: AUDIENCE, logger });
    const inner = protectApi({ issuerBaseURL: issuer.issuer, audience: AUDIENCE, logger });
    const both = express();
    both.use(requestLogger(logger));
    both.use('/api', outer.authenticate);
    // inner's requireScopes without inner's authenticate: it judges req.auth, which outer set.
    both.get('/api/read', inner.requireScopes('things:read'), (_req, res) =>
      res.json({ ok: true }),
    );
    both.use(bearerErrors);
    const token = await issuer.mint({ audience: AUDIENCE, scope: 'things:read', clientId: 'c7' });
    const res = await request(both).get('/api/read').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ audit: true, clientId: 'c7', decision: 'allow' });
    // outer's audit was not annotated by inner's requireScopes.
    expect(lines[0]).not.toHaveProperty('requiredScopes');
  });

  it('answers 503 temporarily_unavailable, not 401, when the JWKS cannot be fetched', async () => {
    const down = await startTestIssuer();
    const api = protectApi({ issuerBaseURL: down.issuer, audience: AUDIENCE, logger });
    const downApp = express();
    downApp.get('/api/read', api.authenticate, api.requireScopes('things:read'), (_req, res) => {
      res.json({ ok: true });
    });
    downApp.use(bearerErrors);
    const token = await down.mint({ audience: AUDIENCE, scope: 'things:read' });
    down.setDown(true);
    try {
      const res = await request(downApp).get('/api/read').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(res.body).toEqual({
        error: 'temporarily_unavailable',
        error_description:
          'The authorization server cannot be reached to verify the access token; retry later.',
      });
    } finally {
      await down.close();
    }
  });

  it('never logs the access token', async () => {
    const token = await issuer.mint({ audience: AUDIENCE, scope: 'things:read' });
    await request(app).get('/api/read').set('Authorization', `Bearer ${token}`);
    expect(JSON.stringify(lines)).not.toContain(token.split('.')[2]);
  });

  it.each([
    [
      'a DPoP-bound token (cnf.jkt)',
      { jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' },
      DPOP_BOUND_AS_BEARER,
    ],
    [
      'a certificate-bound token (cnf.x5t#S256)',
      { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' },
      SENDER_CONSTRAINED,
    ],
  ])('refuses %s as a bearer token with 401 and never caches it', async (_name, cnf, why) => {
    const token = await issuer.mint({
      audience: AUDIENCE,
      scope: 'things:read',
      clientId: 'bound',
      claims: { cnf },
    });
    const before = api.verificationCache!.stats();
    for (let i = 0; i < 2; i++) {
      const res = await request(app).get('/api/read').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(
        `Bearer ${realm}, error="invalid_token", error_description="${why}"${DPOP_CHALLENGE}`,
      );
      expect(res.body).toEqual({ error: 'invalid_token', error_description: why });
    }
    const after = api.verificationCache!.stats();
    expect(after.hits).toBe(before.hits);
    expect(after.size).toBe(before.size);
    expect(audits()).toEqual([
      expect.objectContaining({ decision: 'deny', status: 401 }),
      expect.objectContaining({ decision: 'deny', status: 401 }),
    ]);
    expect(audits()[0]?.reason).toBe(`invalid_token: ${why}`);
  });

  it('checks its options when built', () => {
    expect(() => protectApi({ issuerBaseURL: '', audience: AUDIENCE, logger })).toThrow(
      /issuerBaseURL is required/,
    );
    expect(() => protectApi({ issuerBaseURL: issuer.issuer, audience: '', logger })).toThrow(
      /audience is required/,
    );
    const api = protectApi({ issuerBaseURL: issuer.issuer, audience: AUDIENCE, logger });
    expect(() => api.requireScopes()).toThrow(/one or more scope names/);
    expect(() => api.requireScopes('a b')).toThrow(/without spaces/);
    expect(() =>
      protectApi({
        issuerBaseURL: issuer.issuer,
        audience: AUDIENCE,
        logger,
        tokenSigningAlg: 'HS256' as never,
      }),
    ).toThrow(/tokenSigningAlg must be one of RS256/);
  });
});
