import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@repo/logger';
import { createApp } from '../src/app.js';

const app = createApp({
  logger: createLogger({ service: 'test', level: 'error', format: 'json' }),
});

describe('giftdeliveries', () => {
  it('answers its health check', async () => {
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await request(app).get('/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', error_description: 'No route for GET /nope.' });
  });
});
