import { PassThrough } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createLogger, requestLogger } from '@repo/logger';
import { classify, createAuditEvents, eventsEnabled, type AuditEvent } from '../src/index.js';

const SECRET = 'client-secret-that-must-never-appear';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

function tokenServer(setting: string) {
  const logger = createLogger({ service: 'test', stream: new PassThrough() });
  const events = createAuditEvents({ service: 'test', logger, setting, nodeEnv: 'production' });
  const app = express();
  app.use(requestLogger(logger));
  app.use(events.recorder);
  const pass: express.RequestHandler = (_req, _res, next) => next();
  app.use(events.routes({ authenticate: pass, requireScopes: () => pass }));
  app.post('/oauth/token', express.raw({ type: () => true }), (_req, res) => {
    res.json({ access_token: TOKEN, token_type: 'Bearer', expires_in: 60 });
  });
  return { app, events };
}

describe('audit events', () => {
  it('turns a token request into an event whose exchange shows fingerprints, never the secret or token', async () => {
    const { app, events } = tokenServer('on');
    const seen: AuditEvent[] = [];
    events.bus.subscribe((event) => seen.push(event));
    await request(app)
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: 'storefront', client_secret: SECRET })
      .expect(200);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toHaveLength(1);
    const [event] = seen;
    expect(event!.kind).toBe('token');
    expect(event!.exchange!.request.body).toMatchObject({
      client_id: 'storefront',
      client_secret: expect.stringMatching(/^sha256:[0-9a-f]{8}$/),
    });
    expect(event!.exchange!.response.body).toMatchObject({
      access_token: expect.stringMatching(/^sha256:/),
    });
    const text = JSON.stringify(event);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(TOKEN);
    events.close();
  });

  it('has no /events route when the stream is off (production without EVENTS_STREAM=on)', async () => {
    const { app } = tokenServer('auto');
    await request(app).get('/events').expect(404);
    expect(eventsEnabled('auto', 'production')).toBe(false);
    expect(eventsEnabled('on', 'production')).toBe(true);
    expect(eventsEnabled('auto', 'development')).toBe(true);
  });

  it('classifies only audited API calls, token requests, deliveries and key changes', () => {
    expect(classify({ message: 'request', path: '/oauth/token' })).toBe('token');
    expect(classify({ message: 'request', path: '/api/directions', audit: true })).toBe('api');
    expect(classify({ message: 'request', path: '/events', audit: true })).toBeUndefined();
    expect(classify({ message: 'request', path: '/healthz' })).toBeUndefined();
    expect(classify({ message: 'delivery planned' })).toBe('delivery');
    expect(classify({ message: 'signing keys changed' })).toBe('keys');
  });
});
