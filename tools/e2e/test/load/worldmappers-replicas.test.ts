/**
 * worldmappers-api keeps no state of its own, so replicas behind one address are
 * interchangeable: three real processes, one issuer, the same requests, the same answers
 * (statuses, bodies, the challenge of a refusal), whichever replica is asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from 'demo-stack';
import { startTestIssuer, type ServiceProcess, type TestIssuer } from '@repo/testkit';

let issuer: TestIssuer;
let replicas: ServiceProcess[] = [];
let token: string;

beforeAll(async () => {
  issuer = await startTestIssuer();
  replicas = await Promise.all(
    Array.from({ length: 3 }, () =>
      startApp('worldmappers-api', {
        env: { ISSUER_BASE_URL: issuer.issuer, API_RATE_LIMIT: '0' },
        timeoutMs: 60_000,
      }),
    ),
  );
  token = await issuer.mint({
    audience: 'urn:worldmappers',
    scope: 'geocode:location reverse-geocode:location directions',
    clientId: 'giftdeliveries',
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await issuer?.close();
});

const REQUESTS = [
  '/api/location/geocode?address=Kyoto',
  '/api/location/reverse-geocode?lat=60.17&lng=24.94',
  '/api/directions?origin=Rovaniemi,%20FI&destination=Lisbon,%20PT',
  '/api/directions?origin=Oulu,%20FI&destination=Nowhere%20Atall',
];

/** What a caller sees, without what differs by nature (the request id, the date). */
async function answer(replica: ServiceProcess, path: string, authorization?: string) {
  const res = await fetch(`${replica.url}${path}`, {
    headers: authorization ? { authorization } : {},
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    challenge: res.headers.get('www-authenticate'),
    body: (await res.json()) as unknown,
  };
}

describe('three worldmappers-api replicas', () => {
  it('answer every request alike, successes and refusals', async () => {
    for (const path of REQUESTS) {
      const answers = await Promise.all(
        replicas.map((replica) => answer(replica, path, `Bearer ${token}`)),
      );
      expect(answers[0]!.status, path).toBeLessThan(500);
      expect(answers[1], path).toEqual(answers[0]);
      expect(answers[2], path).toEqual(answers[0]);
    }
    const geocoded = await answer(replicas[0]!, REQUESTS[0]!, `Bearer ${token}`);
    expect(geocoded).toMatchObject({ status: 200, body: { name: 'Kyoto' } });

    const refusals = await Promise.all(replicas.map((replica) => answer(replica, REQUESTS[0]!)));
    expect(refusals[0]).toMatchObject({
      status: 401,
      challenge: expect.stringContaining('Bearer'),
    });
    expect(refusals[1]).toEqual(refusals[0]);
    expect(refusals[2]).toEqual(refusals[0]);
  });

  it('accept a token verified by another replica, each with the JWKS fetched for itself', async () => {
    const fresh = await issuer.mint({
      audience: 'urn:worldmappers',
      scope: 'geocode:location',
      clientId: 'storefront',
    });
    for (const replica of replicas) {
      expect((await answer(replica, REQUESTS[0]!, `Bearer ${fresh}`)).status).toBe(200);
    }
    // Every replica fetched the keys for itself; none depends on another.
    expect(issuer.hits['/jwks'] ?? issuer.hits['/.well-known/jwks.json']).toBeGreaterThanOrEqual(3);
  });
});
