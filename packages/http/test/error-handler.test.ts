import { PassThrough } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@repo/logger';
import {
  createBaseApp,
  errorHandler,
  HttpError,
  notFoundHandler,
  parseBody,
} from '../src/index.js';

/** Error lines are expected here (unhandled errors): kept out of the test output. */
const logger = createLogger({
  service: 'test',
  level: 'error',
  format: 'json',
  stream: new PassThrough(),
});

function appThatThrows(error: unknown) {
  const app = createBaseApp(logger);
  app.use(parseBody(express.json({ limit: '1kb' })));
  app.post('/echo', (req, res) => {
    res.json(req.body);
  });
  app.get('/boom', () => {
    throw error;
  });
  app.get('/items/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}

describe('errorHandler', () => {
  it('answers an HttpError with its status, headers and the OAuth error body', async () => {
    const app = appThatThrows(
      new HttpError(401, 'invalid_token', 'expired', {
        headers: { 'WWW-Authenticate': 'Bearer error="x"' },
      }),
    );
    const res = await request(app).get('/boom');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer error="x"');
    expect(res.body).toEqual({ error: 'invalid_token', error_description: 'expired' });
  });

  it('hides unexpected errors behind a generic server_error', async () => {
    const res = await request(appThatThrows(new Error('db password is hunter2'))).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: 'server_error',
      error_description: 'The server met an unexpected condition.',
    });
    expect(res.text).not.toContain('hunter2');
  });

  it('answers an unexposed HttpError and look-alikes of other libraries as server_error', async () => {
    const lookAlike = Object.assign(new Error('Unauthorized'), { status: 401, expose: true });
    for (const error of [new HttpError(503, 'db_down', 'hunter2'), lookAlike]) {
      const res = await request(appThatThrows(error)).get('/boom');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        error: 'server_error',
        error_description: 'The server met an unexpected condition.',
      });
    }
  });

  it('logs a refused unexposed HttpError with its stack frames', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().trim().split('\n')));
    const own = createLogger({ service: 'test', level: 'error', format: 'json', stream });
    const app = createBaseApp(own);
    app.get('/boom', () => {
      throw new HttpError(404, 'not_found', 'internal lookup', { expose: false });
    });
    app.use(errorHandler(own));
    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    await new Promise((resolve) => setImmediate(resolve));
    const logged = lines.map(
      (line) => JSON.parse(line) as { message: string; err?: { stack?: string } },
    );
    const line = logged.find((entry) => entry.message === 'unhandled error');
    expect(line?.err?.stack).toMatch(/^HttpError: internal lookup\n\s+at /);
  });

  it('turns malformed and oversized JSON into invalid_request', async () => {
    const app = appThatThrows(new Error('unused'));
    const malformed = await request(app)
      .post('/echo')
      .set('Content-Type', 'application/json')
      .send('{"a":');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({
      error: 'invalid_request',
      error_description: 'The request body is not valid JSON.',
    });
    const huge = await request(app)
      .post('/echo')
      .send({ a: 'x'.repeat(5000) });
    expect(huge.status).toBe(413);
    expect(huge.body).toEqual({
      error: 'invalid_request',
      error_description: 'The request body is too large.',
    });
  });

  it('answers a path parameter that is not valid percent-encoding with 400', async () => {
    const res = await request(appThatThrows(new Error('unused'))).get('/items/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'The request path is not valid percent-encoding (RFC 3986 section 2.1).',
    });
  });

  it('sets security headers and no X-Powered-By', async () => {
    const res = await request(appThatThrows(new Error('x'))).get('/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toBeDefined();
  });
});
