import { IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppServer } from '../src/index.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function listen(app: express.Express): Promise<string> {
  server = createAppServer(app);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createAppServer', () => {
  it('creates each request and response with the app’s prototypes before Express sees them', async () => {
    const app = express();
    app.get('/', (_req, res) => res.json({ ok: true }));
    const url = await listen(app);
    const seen: { request: boolean; response: boolean; instances: boolean }[] = [];
    // Runs before Express's own listener, which would switch the prototypes itself.
    server!.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      seen.push({
        request: Object.getPrototypeOf(req) === app.request,
        response: Object.getPrototypeOf(res) === app.response,
        instances: req instanceof IncomingMessage && res instanceof ServerResponse,
      });
    });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true });
    }
    expect(seen).toEqual([
      { request: true, response: true, instances: true },
      { request: true, response: true, instances: true },
    ]);
  });

  it('serves bodies, headers, params and errors as Express alone does', async () => {
    const app = express();
    app.use(express.json());
    app.post('/echo/:name', (req, res) => {
      res
        .set('X-Name', req.params.name)
        .status(201)
        .json({ body: req.body as unknown, app: req.app === app });
    });
    app.get('/fail', () => {
      throw new Error('boom');
    });
    app.use(((_error, _req, res, _next) => {
      res.status(500).json({ error: 'server_error' });
    }) as express.ErrorRequestHandler);
    const url = await listen(app);

    const posted = await fetch(`${url}/echo/kyoto`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ gift: 'tea' }),
    });
    expect(posted.status).toBe(201);
    expect(posted.headers.get('x-name')).toBe('kyoto');
    expect(await posted.json()).toEqual({ body: { gift: 'tea' }, app: true });

    const failed = await fetch(`${url}/fail`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'server_error' });

    const missing = await fetch(`${url}/nowhere`);
    expect(missing.status).toBe(404);
  });
});
