import { PassThrough } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/create-logger.js';
import { addRequestLogFields, requestLogger } from '../src/request-logger.js';

function appWithLog(level: 'debug' | 'info' = 'info') {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter(Boolean)
      .forEach((line) => lines.push(JSON.parse(line) as Record<string, unknown>)),
  );
  const app = express();
  app.use(requestLogger(createLogger({ service: 'svc', format: 'json', level, stream })));
  app.get('/hello', (req, res) => {
    req.log.info('inside handler');
    res.status(201).json({ id: req.id });
  });
  app.get('/audited', (req, res) => {
    addRequestLogFields(req, ({ method, status }) => ({ seen: `${method} ${status}`, who: 'me' }));
    res.status(403).end();
  });
  app.get('/spoofed', (req, res) => {
    addRequestLogFields(req, () => ({ level: 'debug', status: 200, service: 'x', requestId: 'y' }));
    res.status(403).end();
  });
  app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  app.get('/readyz', (_req, res) => res.status(503).json({ status: 'not_ready' }));
  app.get('/jwks', (_req, res) => res.json({ keys: [] }));
  app.get('/.well-known/openid-configuration', (_req, res) => res.json({ issuer: 'x' }));
  return { app, lines };
}

describe('requestLogger', () => {
  it('echoes the caller X-Request-Id and logs method, path, status and duration', async () => {
    const { app, lines } = appWithLog();
    const res = await request(app).get('/hello?secret=1').set('X-Request-Id', 'abc-123');
    expect(res.status).toBe(201);
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.body).toEqual({ id: 'abc-123' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]).toMatchObject({ message: 'inside handler', requestId: 'abc-123' });
    expect(lines[1]).toMatchObject({
      message: 'request',
      method: 'GET',
      path: '/hello',
      status: 201,
      requestId: 'abc-123',
    });
    expect(typeof lines[1]!.durationMs).toBe('number');
  });

  it('logs an answered health probe at debug, hidden at info, and a failing one at error', async () => {
    const quiet = appWithLog('info');
    expect((await request(quiet.app).get('/healthz')).status).toBe(200);
    expect((await request(quiet.app).get('/readyz')).status).toBe(503);
    const verbose = appWithLog('debug');
    expect((await request(verbose.app).get('/healthz?probe=1')).status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    const summary = (lines: Record<string, unknown>[]) =>
      lines.map(({ level, path, status }) => ({ level, path, status }));
    expect(summary(quiet.lines)).toEqual([{ level: 'error', path: '/readyz', status: 503 }]);
    expect(summary(verbose.lines)).toEqual([{ level: 'debug', path: '/healthz', status: 200 }]);
  });

  it("logs the refreshes of an issuer's discovery document and JWKS at debug", async () => {
    const quiet = appWithLog('info');
    for (const path of ['/jwks', '/.well-known/openid-configuration'])
      expect((await request(quiet.app).get(path)).status).toBe(200);
    const verbose = appWithLog('debug');
    expect((await request(verbose.app).get('/jwks')).status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    expect(quiet.lines).toEqual([]);
    expect(verbose.lines.map(({ level, path }) => ({ level, path }))).toEqual([
      { level: 'debug', path: '/jwks' },
    ]);
  });

  it('makes a fresh id when none or an unsafe one is given', async () => {
    const { app } = appWithLog();
    const res = await request(app).get('/hello').set('X-Request-Id', 'bad id\twith spaces');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('puts fields added by later middleware on the same line, given its method and status', async () => {
    const { app, lines } = appWithLog();
    expect((await request(app).get('/audited')).status).toBe(403);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([
      expect.objectContaining({
        message: 'request',
        path: '/audited',
        status: 403,
        seen: 'GET 403',
        who: 'me',
      }),
    ]);
  });

  it("never lets added fields override the line's own", async () => {
    const { app, lines } = appWithLog();
    const res = await request(app).get('/spoofed');
    expect(res.status).toBe(403);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        service: 'svc',
        requestId: res.headers['x-request-id'],
        status: 403,
      }),
    ]);
  });

  it('lets a caller without requestLogger know it must log by itself', () => {
    expect(addRequestLogFields({} as never, () => ({}))).toBe(false);
  });
});
