import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@repo/testkit';
import { startAuthServer, type RunningAuthServer } from './support/in-process.js';
import { requestToken } from './support/token-request.js';
import { DEMO_CLIENTS } from '@repo/contracts';

let server: RunningAuthServer;
let issuer: string;

beforeAll(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}/auth/`;
  server = await startAuthServer({ port, env: { ISSUER: `http://127.0.0.1:${port}/auth` } });
});
afterAll(async () => {
  await server.close();
});

describe('an issuer with a path', () => {
  it('serves discovery, JWKS and tokens under that path, with iss equal to the issuer', async () => {
    const discovery = (await (
      await fetch(`${issuer}.well-known/openid-configuration`)
    ).json()) as Record<string, string>;
    expect(discovery).toMatchObject({
      issuer,
      token_endpoint: `${issuer}token`,
      jwks_uri: `${issuer}jwks`,
    });
    for (const endpoint of [discovery.token_endpoint!, `${issuer}oauth/token`]) {
      const res = await requestToken(endpoint, {
        clientId: 'storefront',
        clientSecret: DEMO_CLIENTS.storefront.devSecret,
        api: 'urn:giftdeliveries',
      });
      expect(res.status).toBe(200);
      const { payload } = await jwtVerify(
        res.body.access_token as string,
        createRemoteJWKSet(new URL(`${issuer}.well-known/jwks.json`)),
        { issuer, audience: 'urn:giftdeliveries' },
      );
      expect(payload.sub).toBe('storefront');
    }
  });
});
