import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthServer, type RunningAuthServer } from './support/in-process.js';
import { giftdeliveriesToken } from './support/tokens.js';

let authServer: RunningAuthServer;
let api: Server;
let apiUrl: string;

/** A resource server as worldmappers-api builds one: express-oauth2-jwt-bearer, nothing else. */
function resourceServer(audience: string) {
  const router = express.Router();
  router.use(auth({ issuerBaseURL: authServer.issuer, audience }));
  router.get('/geocode', requiredScopes('geocode:location'), (req, res) => {
    res.json({ sub: req.auth?.payload.sub });
  });
  return router;
}

beforeAll(async () => {
  authServer = await startAuthServer();
  const app = express();
  app.use('/worldmappers', resourceServer('urn:worldmappers'));
  app.use('/elsewhere', resourceServer('urn:giftdeliveries'));
  const onError: ErrorRequestHandler = (
    error: { status?: number; code?: string; headers?: Record<string, string> },
    _req,
    res,
    _next,
  ) => {
    res
      .status(error.status ?? 500)
      .set(error.headers ?? {})
      .json({ error: error.code });
  };
  app.use(onError);
  api = createServer(app);
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  api.close();
  await authServer.close();
});

describe('a token checked by express-oauth2-jwt-bearer', () => {
  it('is accepted with issuerBaseURL = the issuer and the right audience', async () => {
    const token = await giftdeliveriesToken(authServer.url);
    const res = await fetch(`${apiUrl}/worldmappers/geocode`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: 'giftdeliveries' });
  });

  it('is refused by an API with another audience', async () => {
    const token = await giftdeliveriesToken(authServer.url);
    const res = await fetch(`${apiUrl}/elsewhere/geocode`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="api", error="invalid_token", error_description="Unexpected 'aud' value"/,
    );
  });
});
