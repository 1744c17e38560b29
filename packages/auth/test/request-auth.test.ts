import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import express, { type RequestHandler } from 'express';
import type { AuthResult } from 'express-oauth2-jwt-bearer';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { prepareRequestAuth } from '../src/request-auth.js';

const result = (clientId: string): AuthResult => ({
  header: { alg: 'RS256' },
  payload: { client_id: clientId },
  token: `token-of-${clientId}`,
});

/** Prepares the request, then assigns `req.auth` as protectApi and the library do. */
const signIn =
  (clientId: string): RequestHandler =>
  (req, _res, next) => {
    prepareRequestAuth(req);
    req.auth = result(clientId);
    next();
  };

describe('prepareRequestAuth', () => {
  it('keeps req.auth readable by later handlers, one value per request', async () => {
    const app = express();
    let calls = 0;
    app.use((req, _res, next) => {
      prepareRequestAuth(req);
      req.auth = result(`client-${++calls}`);
      next();
    });
    app.get('/', (req, res) => {
      res.json({ client: req.auth?.payload.client_id, own: Object.hasOwn(req, 'auth') });
    });
    const first = await request(app).get('/');
    const second = await request(app).get('/');
    expect(first.body).toEqual({ client: 'client-1', own: false });
    expect(second.body).toEqual({ client: 'client-2', own: false });
  });

  it('gives a request that nothing signed in no auth', async () => {
    const app = express();
    app.get('/in', signIn('c1'), (req, res) => res.json({ client: req.auth?.payload.client_id }));
    app.get('/out', (req, res) => res.json({ auth: req.auth === undefined }));
    await request(app).get('/in').expect(200, { client: 'c1' });
    await request(app).get('/out').expect(200, { auth: true });
  });

  it('keeps req.auth when the request leaves a mounted app for its parent', async () => {
    const parent = express();
    const child = express();
    child.use(signIn('from-child'));
    parent.use(child);
    parent.get('/', (req, res) => res.json({ client: req.auth?.payload.client_id }));
    await request(parent).get('/').expect(200, { client: 'from-child' });
  });

  it('lets another app of the process assign and read req.auth as an own property would', async () => {
    const prepared = express();
    prepared.get('/', signIn('c1'), (_req, res) => res.end());
    await request(prepared).get('/').expect(200);
    const other = express();
    other.get('/', (req, res) => {
      req.auth = result('other');
      res.json({ client: req.auth.payload.client_id, own: Object.hasOwn(req, 'auth') });
    });
    await request(other).get('/').expect(200, { client: 'other', own: false });
  });

  it('leaves a request that Express did not dispatch untouched', () => {
    const req = new IncomingMessage(new Socket());
    prepareRequestAuth(req);
    expect(Object.getOwnPropertyDescriptor(IncomingMessage.prototype, 'auth')).toBeUndefined();
    expect('auth' in req).toBe(false);
  });
});
