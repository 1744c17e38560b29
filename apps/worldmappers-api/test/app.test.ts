import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestIssuer, testLogger, type TestIssuer } from '@repo/testkit';
import { DPOP_PROOF_ALGS } from '@repo/resource-server';
import { createApp } from '../src/app.js';
import { Router } from '../src/world/router.js';
import { buildWorld } from '../src/world/world.js';

const AUDIENCE = 'urn:worldmappers';
const ALL_SCOPES = 'geocode:location reverse-geocode:location directions';
const world = buildWorld();
world.router.prepareLandmarks();

const { lines, logger } = testLogger();

let issuer: TestIssuer;
let app: ReturnType<typeof createApp>;
let token: string;

beforeAll(async () => {
  issuer = await startTestIssuer();
  app = createApp({
    logger,
    world,
    auth: { issuerBaseURL: issuer.issuer, audience: AUDIENCE, jwksCooldownMs: 0 },
  });
  token = await issuer.mint({ audience: AUDIENCE, scope: ALL_SCOPES, clientId: 'giftdeliveries' });
});
afterAll(() => issuer.close());

const get = (path: string, bearer: string | null = token) => {
  const req = request(app).get(path);
  return bearer ? req.set('Authorization', `Bearer ${bearer}`) : req;
};

describe('health and readiness', () => {
  it('answers its liveness check without a token', async () => {
    const res = await get('/healthz', null);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('is ready when the issuer discovery and JWKS are reachable', async () => {
    const res = await get('/readyz', null);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ready',
      checks: {
        issuer: {
          status: 'ok',
          discovery: `${issuer.issuer}.well-known/openid-configuration`,
          jwks: `${issuer.issuer}.well-known/jwks.json`,
          keys: 1,
        },
        places: { status: 'ok', count: world.gazetteer.size },
        routing: {
          status: 'ok',
          network: world.network.source,
          links: world.router.network.linkCount,
          landmarks: 'ready',
        },
      },
    });
  });

  it('is not ready, with the reason, when the issuer is down', async () => {
    issuer.setDown(true);
    // Past the 2 s the previous test's readiness answer is reused for.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2_000 });
    try {
      const res = await get('/readyz', null);
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('not_ready');
      expect(res.body.checks.issuer).toEqual({
        status: 'fail',
        reason: 'discovery document answered HTTP 503',
      });
    } finally {
      vi.useRealTimers();
      issuer.setDown(false);
    }
  });

  // Computing the landmarks takes about a second of CPU, several on a busy machine.
  it(
    'is not ready while the routing landmarks are being computed',
    { timeout: 30_000 },
    async () => {
      const cold = { ...world, router: new Router(world.gazetteer, world.router.network) };
      const coldApp = createApp({
        logger,
        world: cold,
        auth: { issuerBaseURL: issuer.issuer, audience: AUDIENCE },
      });
      const res = await request(coldApp).get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('not_ready');
      expect(res.body.checks.issuer.status).toBe('ok');
      expect(res.body.checks.routing).toEqual({
        status: 'fail',
        network: world.network.source,
        links: world.router.network.linkCount,
        landmarks: 'computing',
        reason: 'routing landmarks are still being computed',
      });
      cold.router.prepareLandmarks();
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2_000 });
      try {
        expect((await request(coldApp).get('/readyz')).status).toBe(200);
      } finally {
        vi.useRealTimers();
      }
    },
  );

  it('describes itself and credits GeoNames and Natural Earth', async () => {
    const res = await get('/', null);
    expect(res.status).toBe(200);
    expect(res.body.attribution).toContain('GeoNames');
    expect(res.body.attribution).toContain('CC BY 4.0');
    expect(res.body.attribution).toContain('Natural Earth');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await get('/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', error_description: 'No route for GET /nope.' });
  });
});

describe('GET /api/location/geocode', () => {
  it('finds Tokyo where it is', async () => {
    const res = await get('/api/location/geocode?address=Tokyo');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Tokyo', country: 'JP', countryName: 'Japan' });
    expect(Math.abs(res.body.lat - 35.68)).toBeLessThan(0.5);
    expect(Math.abs(res.body.lng - 139.69)).toBeLessThan(0.5);
    expect(res.body.population).toBeGreaterThan(1_000_000);
    expect(res.body.geonameId).toBe(1850147);
  });

  it.each(['Kyoto', 'kyoto, jp', 'Kyoto, Japan', 'KYOTO'])('understands "%s"', async (address) => {
    const res = await get(`/api/location/geocode?address=${encodeURIComponent(address)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Kyoto', country: 'JP', admin1Code: '22' });
  });

  it.each(['京都', 'きょうと', '京都府京都市'])(
    'understands the Japanese "%s" and names it in Japanese',
    async (address) => {
      const res = await get(`/api/location/geocode?address=${encodeURIComponent(address)}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        name: 'Kyoto',
        country: 'JP',
        admin1Code: '22',
        nameJa: '京都市',
      });
    },
  );

  it('drives 京都 → 大阪 as Kyoto → Osaka, both named in Japanese', async () => {
    const res = await get(
      `/api/directions?origin=${encodeURIComponent('京都')}&destination=${encodeURIComponent('大阪')}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.origin).toMatchObject({ name: 'Kyoto', nameJa: '京都市' });
    expect(res.body.destination).toMatchObject({ name: 'Osaka', nameJa: '大阪市' });
  });

  it('ignores accents: Sao Paulo is São Paulo', async () => {
    const res = await get('/api/location/geocode?address=Sao%20Paulo');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'São Paulo', country: 'BR', countryName: 'Brazil' });
  });

  it('narrows with country=', async () => {
    const res = await get('/api/location/geocode?address=Paris&country=US');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Paris', country: 'US' });
  });

  it('answers an unknown place with 404 not_found', async () => {
    const res = await get('/api/location/geocode?address=Qwxzzy');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: 'not_found',
      error_description: 'No place matches "Qwxzzy".',
    });
  });
});

describe('GET /api/location/reverse-geocode', () => {
  it('finds Paris at 48.8566, 2.3522', async () => {
    const res = await get('/api/location/reverse-geocode?lat=48.8566&lng=2.3522');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Paris', country: 'FR', countryName: 'France' });
    expect(res.body.distanceKm).toBeLessThan(2);
  });
});

describe('GET /api/directions', () => {
  it('drives Kyoto → Osaka in 40–80 km through real towns', async () => {
    const res = await get('/api/directions?origin=Kyoto&destination=Osaka');
    expect(res.status).toBe(200);
    expect(res.body.mode).toBe('road');
    expect(res.body.origin.name).toBe('Kyoto');
    expect(res.body.destination.name).toBe('Osaka');
    expect(res.body.distanceKm).toBeGreaterThanOrEqual(40);
    expect(res.body.distanceKm).toBeLessThanOrEqual(80);
    expect(res.body.distanceKm).toBeGreaterThanOrEqual(res.body.greatCircleKm);
    expect(res.body.geometry.type).toBe('LineString');
    expect(res.body.geometry.coordinates.length).toBeGreaterThan(2);
  });

  it('drives Rovaniemi → Helsinki in 650–950 km via intermediate towns, in numbered steps', async () => {
    const res = await get('/api/directions?origin=Rovaniemi&destination=Helsinki');
    expect(res.status).toBe(200);
    expect(res.body.distanceKm).toBeGreaterThanOrEqual(650);
    expect(res.body.distanceKm).toBeLessThanOrEqual(950);
    expect(res.body.distanceKm).toBeGreaterThanOrEqual(res.body.greatCircleKm);
    const steps = res.body.steps as {
      step: number;
      action: string;
      distanceKm: number;
      durationMinutes: number;
    }[];
    expect(steps.length).toBeGreaterThan(2);
    expect(steps.map((s) => s.step)).toEqual(steps.map((_, i) => i + 1));
    expect(steps[0]!.action).toMatch(
      /^Head (north|south|east|west|north-east|north-west|south-east|south-west) to \S/,
    );
    expect(steps.at(-1)!.action).toMatch(/ to Helsinki$/);
    const sum = steps.reduce((a, s) => a + s.distanceKm, 0);
    expect(Math.abs(sum - res.body.distanceKm)).toBeLessThan(1);
    expect(res.body.durationMinutes).toBeGreaterThan(res.body.distanceKm / 2);
    expect(res.body.geometry.coordinates.length).toBeGreaterThan(10);
  });

  it('accepts lat,lng ends and snaps them to the nearest town', async () => {
    const res = await get('/api/directions?origin=48.8566,2.3522&destination=Lyon');
    expect(res.status).toBe(200);
    expect(res.body.origin.name).toBe('Paris');
    expect(res.body.destination.name).toBe('Lyon');
  });

  it('flies the great circle in sleigh mode', async () => {
    const res = await get('/api/directions?origin=Rovaniemi&destination=Tokyo&mode=sleigh');
    expect(res.status).toBe(200);
    expect(res.body.mode).toBe('sleigh');
    expect(res.body.distanceKm).toBe(res.body.greatCircleKm);
    expect(res.body.steps).toEqual([
      expect.objectContaining({ step: 1, action: 'Fly north-east to Tokyo' }),
    ]);
  });

  it('answers 422 no_route suggesting sleigh when no road joins the places', async () => {
    const res = await get('/api/directions?origin=Honolulu&destination=Tokyo');
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: 'no_route',
      error_description:
        'No road route from Honolulu to Tokyo: no chain of towns joins them. Try mode=sleigh.',
    });
  });

  it('answers an unknown place with 404 not_found', async () => {
    const res = await get('/api/directions?origin=Qwxzzy&destination=Tokyo');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: 'not_found',
      error_description: 'No place matches origin "Qwxzzy".',
    });
  });
});

describe('bad input is a 400 invalid_request, never a 5xx', () => {
  const long = 'x'.repeat(201);
  it.each([
    ['/api/location/geocode', 'The "address" parameter is required.'],
    ['/api/location/geocode?address=', 'The "address" parameter must not be empty.'],
    ['/api/location/geocode?address=%20%20', 'The "address" parameter must not be empty.'],
    [
      `/api/location/geocode?address=${long}`,
      'The "address" parameter must be at most 200 characters.',
    ],
    ['/api/location/geocode?address=a&address=b', 'Give "address" once, as text.'],
    [
      '/api/location/geocode?address=Kyoto&country=Atlantis',
      '"country" must be an ISO 3166-1 code or an English country name.',
    ],
    ['/api/location/reverse-geocode?lng=2', 'The "lat" parameter is required.'],
    ['/api/location/reverse-geocode?lat=abc&lng=2', '"lat" must be a decimal number of degrees.'],
    ['/api/location/reverse-geocode?lat=1e2&lng=2', '"lat" must be a decimal number of degrees.'],
    ['/api/location/reverse-geocode?lat=91&lng=2', '"lat" must be between -90 and 90.'],
    ['/api/location/reverse-geocode?lat=10&lng=-180.5', '"lng" must be between -180 and 180.'],
    [
      '/api/location/reverse-geocode?lat=10&lng=Infinity',
      '"lng" must be a decimal number of degrees.',
    ],
    ['/api/directions?destination=Oslo', 'The "origin" parameter is required.'],
    ['/api/directions?origin=Oslo', 'The "destination" parameter is required.'],
    [
      `/api/directions?origin=Oslo&destination=${long}`,
      'The "destination" parameter must be at most 200 characters.',
    ],
    [
      '/api/directions?origin=Oslo&destination=Bergen&mode=plane',
      '"mode" must be one of: road, sleigh.',
    ],
    [
      '/api/directions?origin=95,10&destination=Bergen',
      '"origin latitude" must be between -90 and 90.',
    ],
  ])('GET %s', async (path, description) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: description });
  });
});

describe('protection', () => {
  const realm = `realm="${AUDIENCE}"`;
  /** DPOP=allowed (the default): the DPoP challenge beside the Bearer one (RFC 9449 §7.1). */
  const dpop = `, DPoP ${realm}, algs="${DPOP_PROOF_ALGS.join(' ')}"`;
  const routes = [
    ['/api/location/geocode?address=Kyoto', 'geocode:location'],
    ['/api/location/reverse-geocode?lat=1&lng=1', 'reverse-geocode:location'],
    ['/api/directions?origin=Kyoto&destination=Osaka', 'directions'],
  ] as const;

  it.each(routes)('answers %s without a token with 401 and a bare challenge', async (path) => {
    const res = await get(path, null);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(`Bearer ${realm}${dpop}`);
    expect(res.body).toEqual({
      error: 'invalid_token',
      error_description: 'An access token is required: send it as "Authorization: Bearer <token>".',
    });
  });

  it.each(routes)(
    'answers %s with a token lacking %s with 403 insufficient_scope',
    async (path, scope) => {
      const other = routes
        .map(([, s]) => s)
        .filter((s) => s !== scope)
        .join(' ');
      const res = await get(path, await issuer.mint({ audience: AUDIENCE, scope: other }));
      const description = `The access token lacks the required scope: ${scope}.`;
      expect(res.status).toBe(403);
      expect(res.headers['www-authenticate']).toBe(
        `Bearer ${realm}, error="insufficient_scope", error_description="${description}", scope="${scope}"${dpop}`,
      );
      expect(res.body).toEqual({ error: 'insufficient_scope', error_description: description });
    },
  );

  it.each([
    ['another audience', { audience: 'urn:giftdeliveries' }, "Unexpected 'aud' value"],
    ['another issuer', { issuer: 'http://evil.example/' }, "Unexpected 'iss' value"],
    ['an expired token', { expiresIn: -600 }, '"exp" claim timestamp check failed'],
  ])('refuses %s with 401 invalid_token', async (_name, overrides, description) => {
    const bad = await issuer.mint({ audience: AUDIENCE, scope: ALL_SCOPES, ...overrides });
    const res = await get('/api/location/geocode?address=Kyoto', bad);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer ${realm}, error="invalid_token", error_description="${description.replace(/"/g, "'")}"${dpop}`,
    );
    expect(res.body).toEqual({ error: 'invalid_token', error_description: description });
  });

  it('refuses a token signed by a key the issuer does not publish', async () => {
    const bad = await issuer.mint({
      audience: AUDIENCE,
      scope: ALL_SCOPES,
      key: await issuer.foreignKey(),
    });
    const res = await get('/api/location/geocode?address=Kyoto', bad);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(
      new RegExp(
        `^Bearer ${realm}, error="invalid_token", error_description="[^"]+", DPoP ${realm}, algs="[^"]+"$`,
      ),
    );
    expect(res.body.error).toBe('invalid_token');
  });

  it('accepts tokens signed with a rotated key without a restart', async () => {
    await issuer.rotate();
    const fresh = await issuer.mint({ audience: AUDIENCE, scope: ALL_SCOPES });
    const res = await get('/api/location/geocode?address=Kyoto', fresh);
    expect(res.status).toBe(200);
  });

  it('writes one audit line per API call with client, route, scopes and decision', async () => {
    lines.length = 0;
    await get('/api/location/geocode?address=Kyoto');
    const audit = lines.filter((l) => l.audit === true);
    expect(audit).toEqual([
      expect.objectContaining({
        clientId: 'giftdeliveries',
        route: 'GET /api/location/geocode',
        scopes: ALL_SCOPES,
        requiredScopes: 'geocode:location',
        decision: 'allow',
        status: 200,
      }),
    ]);
  });
});
