import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestIssuer, type TestIssuer } from '@repo/testkit';
import { createIssuerMetadata, issuerReadiness } from '../src/index.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(() => issuer.close());

const check = (url: string) => issuerReadiness(createIssuerMetadata({ issuer: url }))();

describe('issuerReadiness', () => {
  it('is ready when discovery and a non-empty JWKS are reachable', async () => {
    expect(await check(issuer.issuer)).toEqual({
      ok: true,
      discovery: `${issuer.issuer}.well-known/openid-configuration`,
      jwks: `${issuer.issuer}.well-known/jwks.json`,
      keys: 1,
    });
  });

  it('accepts the issuer written without its trailing slash', async () => {
    expect((await check(issuer.issuer.replace(/\/$/, ''))).ok).toBe(true);
  });

  it('is not ready, with a reason, when the authorization server answers errors', async () => {
    issuer.setDown(true);
    try {
      expect(await check(issuer.issuer)).toEqual({
        ok: false,
        reason: 'discovery document answered HTTP 503',
      });
    } finally {
      issuer.setDown(false);
    }
  });

  it('is not ready when nothing listens at the issuer', async () => {
    const port = await freePort();
    const result = await check(`http://localhost:${port}/`);
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/^discovery document unreachable/);
  });

  it('is not ready when discovery names another issuer', async () => {
    const other = issuer.issuer.replace('localhost', '127.0.0.1');
    expect(await check(other)).toEqual({
      ok: false,
      reason: `discovery names issuer "${issuer.issuer}", expected "${other}"`,
    });
  });
});
