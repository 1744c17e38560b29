import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIssuerMetadata, issuerReadiness } from '@repo/issuer-metadata';
import { protectApi } from '@repo/resource-server';
import { startTestIssuer, testLogger, type TestIssuer } from '@repo/testkit';
import type { Express } from 'express';
import {
  deliveryAcceptedSchema,
  deliveryListSchema,
  deliveryViewSchema,
  oauthErrorSchema,
} from '@repo/contracts';
import { createApp } from '../src/app.js';
import { DeliveriesService } from '../src/deliveries-service.js';
import { SqliteDeliveryStore } from '../src/store/sqlite-store.js';
import { route } from './store/delivery-store-contract.js';

const AUDIENCE = 'urn:giftdeliveries';
/** Logs are kept, not printed: the 503 of the readiness test would otherwise print an error line. */
const { logger } = testLogger({ level: 'error' });

let issuer: TestIssuer;
let store: SqliteDeliveryStore;
let app: Express;
let accepted = 0;
let writer: string;
let reader: string;

beforeAll(async () => {
  issuer = await startTestIssuer();
  writer = await issuer.mint({
    audience: AUDIENCE,
    scope: 'deliveries:read deliveries:write',
    clientId: 'storefront',
  });
  reader = await issuer.mint({ audience: AUDIENCE, scope: 'deliveries:read' });
});
afterAll(async () => issuer.close());

beforeEach(async () => {
  store = await SqliteDeliveryStore.open(':memory:');
  accepted = 0;
  const issuerMetadata = createIssuerMetadata({ issuer: issuer.issuer });
  app = createApp({
    logger,
    deliveries: new DeliveriesService(store, 'Rovaniemi, FI', () => accepted++),
    protection: protectApi({ issuerMetadata, audience: AUDIENCE, logger }),
    readiness: { issuer: issuerReadiness(issuerMetadata), store: () => ({ ok: true }) },
  });
});

const post = (body: unknown, token = writer) =>
  request(app)
    .post('/deliveries')
    .set('Authorization', `Bearer ${token}`)
    .send(body as object);

const CONTROL = (field: string) => `${field} must not contain control characters.`;

describe('giftdeliveries API', () => {
  it('answers its health check', async () => {
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('is ready when the issuer answers, and says why not when it does not', async () => {
    const ok = await request(app).get('/readyz');
    expect(ok.status).toBe(200);
    const discovery = `${issuer.issuer}.well-known/openid-configuration`;
    const jwks = `${issuer.issuer}.well-known/jwks.json`;
    expect(ok.body).toEqual({
      status: 'ready',
      checks: { issuer: { status: 'ok', discovery, jwks, keys: 1 }, store: { status: 'ok' } },
    });
    issuer.setDown(true);
    // Past the 2 s one readiness answer is reused for.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2_000 });
    try {
      const down = await request(app).get('/readyz');
      expect(down.status).toBe(503);
      expect(down.body).toEqual({
        status: 'not_ready',
        checks: {
          issuer: { status: 'fail', reason: 'discovery document answered HTTP 503' },
          store: { status: 'ok' },
        },
      });
    } finally {
      vi.useRealTimers();
      issuer.setDown(false);
    }
  });

  it('accepts a delivery with 202, commits it pending and wakes the worker', async () => {
    const res = await post({ recipient: 'Yuki', destination: 'Kyoto, JP', gift: 'a sleigh' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.any(String), status: 'pending' });
    expect(res.headers.location).toBe(`/deliveries/${res.body.id}`);
    expect(accepted).toBe(1);
    const stored = await store.get(res.body.id);
    expect(stored).toMatchObject({
      status: 'pending',
      recipient: 'Yuki',
      destination: 'Kyoto, JP',
      origin: 'Rovaniemi, FI',
      gift: 'a sleigh',
      attempts: 0,
      clientId: 'storefront',
    });
  });

  it('shows a delivery by id and lists deliveries by status', async () => {
    const { body } = await post({ recipient: 'Camille', destination: 'Paris', origin: 'Oulu' });
    const one = await request(app)
      .get(`/deliveries/${body.id}`)
      .set('Authorization', `Bearer ${reader}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id: body.id,
      status: 'pending',
      recipient: 'Camille',
      destination: 'Paris',
      origin: 'Oulu',
      attempts: 0,
    });
    const pending = await request(app)
      .get('/deliveries?status=pending')
      .set('Authorization', `Bearer ${reader}`);
    expect(pending.status).toBe(200);
    expect(pending.body.deliveries.map((d: { id: string }) => d.id)).toEqual([body.id]);
    const planned = await request(app)
      .get('/deliveries?status=planned')
      .set('Authorization', `Bearer ${reader}`);
    expect(planned.body).toEqual({ deliveries: [] });
  });

  it('refuses a request without a token with 401 and a Bearer challenge', async () => {
    const res = await request(app).post('/deliveries').send({ recipient: 'a', destination: 'b' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="urn:giftdeliveries"/);
    expect(res.body.error).toBe('invalid_token');
    expect(await store.count()).toBe(0);
  });

  it('refuses a token without deliveries:write with 403 insufficient_scope', async () => {
    const res = await post({ recipient: 'a', destination: 'b' }, reader);
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(res.headers['www-authenticate']).toContain('scope="deliveries:write"');
    expect(res.body.error).toBe('insufficient_scope');
  });

  it('refuses a token for another audience with 401', async () => {
    const other = await issuer.mint({ audience: 'urn:worldmappers', scope: 'deliveries:write' });
    const res = await post({ recipient: 'a', destination: 'b' }, other);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it.each([
    [{ destination: 'Kyoto' }, 'recipient is required.'],
    [{ recipient: 'Yuki' }, 'destination is required.'],
    [{ recipient: '  ', destination: 'Kyoto' }, 'recipient must not be empty.'],
    [{ recipient: 'Yuki', destination: 42 }, 'destination must be a text.'],
    [
      { recipient: 'Yuki', destination: 'x'.repeat(201) },
      'destination must be at most 200 characters.',
    ],
    [{ recipient: 'Yuki', destination: 'Kyoto', colour: 'red' }, 'Unknown field(s): colour.'],
    [['Yuki', 'Kyoto'], 'The request body must be a JSON object.'],
    [{ recipient: 'Zed\u0000Hidden', destination: 'Kyoto' }, CONTROL('recipient')],
    [{ recipient: 'Yuki', destination: 'Kyoto\u001b[2K\u001b[1G' }, CONTROL('destination')],
    [{ recipient: 'Yuki', destination: 'Kyoto', gift: 'Tea\u0085' }, CONTROL('gift')],
    [{ recipient: 'Yuki', destination: 'Kyoto', origin: 'Oulu\u2028' }, CONTROL('origin')],
  ])('answers 400 invalid_request to %j', async (body, description) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: description });
    expect(await store.count()).toBe(0);
  });

  it('limits each client to API_RATE_LIMIT requests per second: 429 with Retry-After and RateLimit headers', async () => {
    const issuerMetadata = createIssuerMetadata({ issuer: issuer.issuer });
    const limited = createApp({
      logger,
      deliveries: new DeliveriesService(store, 'Rovaniemi, FI', () => accepted++),
      protection: protectApi({ issuerMetadata, audience: AUDIENCE, logger }),
      readiness: {},
      apiRateLimit: 2,
    });
    const list = () => request(limited).get('/deliveries').set('Authorization', `Bearer ${reader}`);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await list());
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    expect(answers[0]!.headers['ratelimit-policy']).toBe('"default";q=2;w=1');
    expect(answers[0]!.headers.ratelimit).toMatch(/^"default";r=1;t=1$/);
    const refused = answers[2]!;
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers.ratelimit).toBe('"default";r=0;t=1');
    expect(refused.body).toEqual({
      error: 'rate_limited',
      error_description:
        'Too many requests: this API allows 2 requests per second per client; retry after 1 s.',
    });
    // Another client still gets in.
    const writerAnswer = await request(limited)
      .get('/deliveries')
      .set('Authorization', `Bearer ${writer}`);
    expect(writerAnswer.status).toBe(200);
  });

  it('answers 400 to a body that is not JSON', async () => {
    const res = await request(app)
      .post('/deliveries')
      .set('Authorization', `Bearer ${writer}`)
      .set('Content-Type', 'application/json')
      .send('{"recipient":');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'The request body is not valid JSON.',
    });
  });

  it('asks for a token before it reads the body: no token and a broken body is still a 401', async () => {
    const res = await request(app)
      .post('/deliveries')
      .set('Content-Type', 'application/json')
      .send('{"recipient":');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    expect(res.body.error).toBe('invalid_token');
  });

  it('answers a retried POST with the same Idempotency-Key with the first answer, once stored', async () => {
    const body = { recipient: 'Maya', destination: 'New York, US' };
    const first = await post(body).set('Idempotency-Key', 'order-1234');
    const again = await post(body).set('Idempotency-Key', 'order-1234');
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await store.count()).toBe(1);
    expect(accepted).toBe(1);
  });

  it('answers a replay of an already planned delivery with its current status', async () => {
    const body = { recipient: 'Maya', destination: 'Kyoto' };
    const first = await post(body).set('Idempotency-Key', 'order-planned');
    expect(first.body).toEqual({ id: expect.any(String), status: 'pending' });
    const [claimed] = await store.claimDue('test-worker', 1, 60_000);
    expect(claimed?.id).toBe(first.body.id);
    expect(await store.markPlanned(first.body.id, 'test-worker', route('Kyoto'))).toBe(true);
    const again = await post(body).set('Idempotency-Key', 'order-planned');
    expect(again.status).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(`/deliveries/${first.body.id}`);
    expect(again.body).toEqual({ id: first.body.id, status: 'planned' });
    expect(deliveryAcceptedSchema.parse(again.body)).toEqual(again.body);
  });

  it('refuses a reused Idempotency-Key with a different body with 422', async () => {
    const first = await post({ recipient: 'Maya', destination: 'New York' }).set(
      'Idempotency-Key',
      'order-1',
    );
    const res = await post({ recipient: 'Maya', destination: 'Boston' }).set(
      'Idempotency-Key',
      'order-1',
    );
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: 'idempotency_key_reused',
      error_description: `This Idempotency-Key was already used for delivery ${first.body.id} with a different request body; use a new key for a new delivery.`,
    });
    expect(await store.count()).toBe(1);
  });

  it('keeps concurrent retries with one Idempotency-Key to a single delivery', async () => {
    const body = { recipient: 'Lucas', destination: 'São Paulo' };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post(body).set('Idempotency-Key', 'same')),
    );
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.every((a) => a.status === 202)).toBe(true);
    expect(await store.count()).toBe(1);
  });

  it('answers 404 not_found for an unknown delivery and 400 for an unknown status', async () => {
    const missing = await request(app)
      .get('/deliveries/nope')
      .set('Authorization', `Bearer ${reader}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'not_found', error_description: 'No delivery nope.' });
    const bad = await request(app)
      .get('/deliveries?status=lost')
      .set('Authorization', `Bearer ${reader}`);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      error: 'invalid_request',
      error_description: 'status must be one of pending, planned, failed.',
    });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await request(app).get('/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', error_description: 'No route for GET /nope.' });
  });

  it('answers what @repo/contracts says: accepted, pending, planned, failed, the list, errors', async () => {
    const strict = (
      schema: { safeParse(v: unknown): { error?: { issues: unknown[] } } },
      body: unknown,
    ) => expect(schema.safeParse(body).error?.issues ?? []).toEqual([]);
    const get = (path: string) => request(app).get(path).set('Authorization', `Bearer ${reader}`);

    const ids: string[] = [];
    for (const recipient of ['Yuki', 'Camille', 'Aino']) {
      const res = await post({ recipient, destination: 'Kyoto, JP', gift: 'a sleigh' });
      strict(deliveryAcceptedSchema, res.body);
      ids.push(res.body.id);
    }
    await store.claimDue('w1', 2, 60_000);
    await store.markPlanned(ids[0]!, 'w1', {
      mode: 'road',
      from: { name: 'Rovaniemi', country: 'FI', lat: 66.5, lng: 25.72 },
      to: { name: 'Kyoto', country: 'JP', lat: 35.02, lng: 135.75 },
      distanceKm: 9100.4,
      durationMinutes: 6120,
      steps: [{ action: 'Head south to Oulu', distanceKm: 190, durationMinutes: 130 }],
      geometry: {
        type: 'LineString',
        coordinates: [
          [25.72, 66.5],
          [135.75, 35.02],
        ],
      },
    });
    await store.markFailed(ids[1]!, 'w1', 'geocoding "Kyoto, JP" refused: HTTP 404 not_found');

    const views = await Promise.all(ids.map((id) => get(`/deliveries/${id}`)));
    expect(views.map((view) => view.body.status)).toEqual(['planned', 'failed', 'pending']);
    for (const view of views) strict(deliveryViewSchema, view.body);
    strict(deliveryListSchema, (await get('/deliveries')).body);
    strict(oauthErrorSchema, (await get('/deliveries/nope')).body);
    strict(oauthErrorSchema, (await get('/deliveries?limit=0')).body);
  });

  it('answers 400 to a limit that is not 1 to 200', async () => {
    const res = await request(app)
      .get('/deliveries?limit=201')
      .set('Authorization', `Bearer ${reader}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'limit must be an integer from 1 to 200.',
    });
  });
});
