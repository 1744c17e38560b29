import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestIssuer, type TestIssuer } from '@repo/testkit';
import { issuerReadiness } from '../src/index.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(() => issuer.close());

describe('issuerReadiness', () => {
  it('is ready when discovery and a non-empty JWKS are reachable', async () => {
    const result = await issuerReadiness(issuer.issuer)();
    expect(result).toEqual({
      ready: true,
      checks: {
        discovery: { ok: true, url: `${issuer.issuer}.well-known/openid-configuration` },
        jwks: { ok: true, url: `${issuer.issuer}.well-known/jwks.json`, keys: 1 },
      },
    });
  });

  it('accepts the issuer written without its trailing slash', async () => {
    const result = await issuerReadiness(issuer.issuer.replace(/\/$/, ''))();
    expect(result.ready).toBe(true);
  });

  it('is not ready, with a reason, when the authorization server answers errors', async () => {
    issuer.setDown(true);
    try {
      const result = await issuerReadiness(issuer.issuer)();
      expect(result.ready).toBe(false);
      expect(result.checks.discovery.ok).toBe(false);
      expect(result.checks.discovery.reason).toBe('discovery document answered HTTP 503');
      expect(result.checks.jwks).toEqual({ ok: false, reason: 'discovery failed first' });
    } finally {
      issuer.setDown(false);
    }
  });

  it('is not ready when nothing listens at the issuer', async () => {
    const port = await freePort();
    const result = await issuerReadiness(`http://localhost:${port}/`)();
    expect(result.ready).toBe(false);
    expect(result.checks.discovery.reason).toMatch(/^discovery document unreachable/);
  });

  it('is not ready when discovery names another issuer', async () => {
    const other = issuer.issuer.replace('localhost', '127.0.0.1');
    const result = await issuerReadiness(other)();
    expect(result.ready).toBe(false);
    expect(result.checks.discovery.reason).toBe(
      `discovery names issuer "${issuer.issuer}", expected "${other}"`,
    );
  });
});
