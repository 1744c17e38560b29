/**
 * giftdeliveries over real processes: the auth-server issues the tokens, worldmappers-api plans
 * the routes, giftdeliveries stores and plans deliveries. Each app runs from its build output
 * (turbo builds them first: this workspace depends on them through demo-stack).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiClient,
  createDpopKey,
  createTokenProvider,
  type TokenProvider,
} from '@repo/token-client';
import { freePort, type ServiceProcess } from '@repo/testkit';
import { appDir, appScript, clientKeys, startApp } from 'demo-stack';
import { DEMO_CLIENTS, DEMO_KEY_CLIENT, type DeliveryView } from '@repo/contracts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const root = mkdtempSync(join(tmpdir(), 'giftdeliveries-it-'));
let issuer: string;
let auth: ServiceProcess;
let worldmappers: ServiceProcess;
const running = new Set<ServiceProcess>();

/** Short backoff and polling so that outages and restarts play out in seconds. */
async function startGiftdeliveries(dataDir: string, env: Record<string, string> = {}) {
  const service = await startApp('giftdeliveries', {
    env: {
      ISSUER_BASE_URL: issuer,
      WORLDMAPPERS_API_URL: worldmappers.url,
      DATA_DIR: dataDir,
      WORKER_POLL_MS: '100',
      RETRY_BASE_MS: '200',
      RETRY_MAX_MS: '1000',
      ...env,
    },
  });
  running.add(service);
  return service;
}

async function stop(service: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM') {
  running.delete(service);
  return service.stop(signal);
}

function storefront(scope?: string): TokenProvider {
  return createTokenProvider({
    clientId: DEMO_CLIENTS.storefront.id,
    clientSecret: DEMO_CLIENTS.storefront.devSecret,
    audience: 'urn:giftdeliveries',
    issuerBaseURL: issuer,
    scope,
  });
}

const writer = () => storefront();

async function waitForStatus(
  api: ReturnType<typeof createApiClient>,
  ids: string[],
  status: string,
  timeoutMs = 30_000,
): Promise<DeliveryView[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await Promise.all(
      ids.map(async (id) => (await api.get<DeliveryView>(`/deliveries/${id}`)).data),
    );
    if (all.every((d) => d.status === status)) return all;
    if (Date.now() > deadline) {
      throw new Error(`not all ${status}: ${JSON.stringify(all.map((d) => [d.id, d.status]))}`);
    }
    await sleep(150);
  }
}

const plannedIds = (...services: ServiceProcess[]) =>
  services.flatMap((s) =>
    s
      .records()
      .filter((r) => r.message === 'delivery planned')
      .map((r) => String(r.deliveryId)),
  );

beforeAll(async () => {
  const authPort = await freePort();
  issuer = `http://127.0.0.1:${authPort}/`;
  [auth, worldmappers] = await Promise.all([
    startApp('auth-server', {
      port: authPort,
      // Nonces required: DPoP clients must answer use_dpop_nonce (Bearer ones never see it).
      env: { ISSUER: issuer, DATA_DIR: join(root, 'auth'), DPOP_REQUIRE_NONCE: 'true' },
    }),
    (async () => {
      // worldmappers-api checks the issuer at start-up on some paths: give the auth-server a head start.
      await sleep(200);
      return startApp('worldmappers-api', {
        env: { ISSUER_BASE_URL: issuer },
        timeoutMs: 60_000,
      });
    })(),
  ]);
}, 90_000);

afterAll(async () => {
  await Promise.all([...running].map((s) => s.stop('SIGKILL')));
  await Promise.all([auth?.stop(), worldmappers?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

describe('giftdeliveries with the auth-server and worldmappers-api', () => {
  it('plans a posted delivery with a plausible road route, using one worldmappers token', async () => {
    const gift = await startGiftdeliveries(join(root, 'plain'));
    const api = createApiClient({ baseURL: gift.url, tokens: writer() });
    const { status, data } = await api.post('/deliveries', {
      recipient: 'Aino',
      destination: 'Helsinki, FI',
    });
    expect(status).toBe(202);
    expect(data).toEqual({ id: expect.any(String), status: 'pending' });
    const [planned] = await waitForStatus(api, [data.id], 'planned');
    const route = planned!.route!;
    expect(route.mode).toBe('road');
    expect(route.from.name).toBe('Rovaniemi');
    expect(route.to).toMatchObject({ name: 'Helsinki', country: 'FI' });
    expect(route.distanceKm).toBeGreaterThan(650);
    expect(route.distanceKm).toBeLessThan(950);
    expect(route.durationMinutes).toBeGreaterThan(0);
    expect(route.steps.length).toBeGreaterThan(1);

    const tokenLines = gift.records().filter((r) => r.message === 'access token obtained');
    expect(tokenLines).toHaveLength(1);
    expect(tokenLines[0]).toMatchObject({
      audience: 'urn:worldmappers',
      scope: 'geocode:location directions',
      tokenFingerprint: expect.stringMatching(/^sha256:/),
    });
    await stop(gift);
  }, 60_000);

  it('plans a delivery with TOKEN_BINDING=dpop: DPoP-bound tokens and a proof on every call', async () => {
    // Its own API DPoP-only too: the storefront must come with a DPoP-bound token as well.
    const gift = await startGiftdeliveries(join(root, 'dpop'), {
      TOKEN_BINDING: 'dpop',
      DPOP: 'required',
    });
    const dpopStorefront = createTokenProvider({
      clientId: DEMO_CLIENTS.storefront.id,
      clientSecret: DEMO_CLIENTS.storefront.devSecret,
      audience: 'urn:giftdeliveries',
      issuerBaseURL: issuer,
      dpop: await createDpopKey(),
    });
    const api = createApiClient({ baseURL: gift.url, tokens: dpopStorefront });
    const { status, data } = await api.post('/deliveries', {
      recipient: 'Yuki',
      destination: 'Kyoto, JP',
    });
    expect(status).toBe(202);
    const [planned] = await waitForStatus(api, [data.id], 'planned');
    expect(planned!.route!.to).toMatchObject({ name: 'Kyoto', country: 'JP' });
    expect((await dpopStorefront.getToken()).tokenType).toBe('DPoP');

    // giftdeliveries asked for a nonce-carrying proof once, then got its DPoP token.
    const lines = gift.records();
    expect(
      lines.filter(
        (r) => r.message === 'token endpoint asked for a DPoP nonce, retrying once with it',
      ),
    ).toHaveLength(1);
    expect(lines.filter((r) => r.message === 'access token obtained')).toEqual([
      expect.objectContaining({ audience: 'urn:worldmappers', tokenType: 'DPoP' }),
    ]);
    // worldmappers-api saw DPoP calls from giftdeliveries and allowed them.
    const audits = worldmappers
      .records()
      .filter(
        (r) => r.audit === true && r.clientId === 'giftdeliveries' && r.requestId === data.id,
      );
    expect(audits.length).toBeGreaterThan(0);
    expect(audits.every((r) => r.decision === 'allow')).toBe(true);

    // The same API refuses the storefront's plain Bearer token: DPoP-only.
    const plain = await writer().getAccessToken();
    const refused = await fetch(`${gift.url}/deliveries/${data.id}`, {
      headers: { authorization: `Bearer ${plain}` },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(
      /^DPoP realm="urn:giftdeliveries", error="invalid_token", error_description="This API accepts DPoP-bound tokens only/,
    );
    expect(await refused.json()).toEqual({
      error: 'invalid_token',
      error_description:
        'This API accepts DPoP-bound tokens only: send "Authorization: DPoP <token>" with a DPoP proof.',
    });
    await stop(gift);
  }, 90_000);

  it('plans a delivery with private_key_jwt: no secret sent, the auth-server holds only the public key', async () => {
    const keysDir = join(root, 'client-keys');
    // Where the auth-server (DATA_DIR=root/auth) looks by default; it re-reads the file.
    const jwksFile = join(root, 'auth', 'clients', `${DEMO_KEY_CLIENT.id}.jwks.json`);
    const printed = await clientKeys({ out: keysDir, jwks: jwksFile });
    const [publicJwk] = printed.keys;
    expect(publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(publicJwk).not.toHaveProperty('d');
    expect(JSON.parse(readFileSync(jwksFile, 'utf8'))).toEqual(printed);
    const keyFile = join(keysDir, `${DEMO_KEY_CLIENT.id}.private.pem`);
    const pem = readFileSync(keyFile, 'utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);

    const gift = await startGiftdeliveries(join(root, 'keys'), {
      CLIENT_ID: DEMO_KEY_CLIENT.id,
      TOKEN_AUTH_METHOD: 'private_key_jwt',
      CLIENT_PRIVATE_KEY_FILE: keyFile,
      // Never sent: proof that the assertion alone authenticates.
      CLIENT_SECRET: 'not-the-secret-and-never-sent',
    });
    const api = createApiClient({ baseURL: gift.url, tokens: writer() });
    const { data } = await api.post('/deliveries', { recipient: 'Kai', destination: 'Oulu, FI' });
    const [planned] = await waitForStatus(api, [data.id], 'planned');
    expect(planned!.route!.to).toMatchObject({ name: 'Oulu', country: 'FI' });
    expect(gift.records()).toContainEqual(
      expect.objectContaining({ message: 'access token obtained', audience: 'urn:worldmappers' }),
    );
    const issued = auth
      .records()
      .filter((r) => r.message === 'token issued' && r.client_id === DEMO_KEY_CLIENT.id);
    expect(issued.length).toBeGreaterThanOrEqual(1);
    // No key material, no assertion in any log line.
    const lines = [...gift.lines(), ...auth.lines()].join('\n');
    expect(lines).not.toContain(pem.split('\n')[1]!);
    expect(lines).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);

    // Rotation with overlap: a second key; the running process (old key) keeps working, a new
    // process signs with the new key; once the old key is retired, the old key is refused.
    const oldPem = pem;
    const rotated = await clientKeys({ out: keysDir, jwks: jwksFile, rotate: true });
    expect(rotated.keys.map((k) => k.kid)).toEqual([expect.any(String), publicJwk!.kid]);
    const fresh = await startGiftdeliveries(join(root, 'keys-2'), {
      CLIENT_ID: DEMO_KEY_CLIENT.id,
      TOKEN_AUTH_METHOD: 'private_key_jwt',
      CLIENT_PRIVATE_KEY_FILE: keyFile,
    });
    const api2 = createApiClient({ baseURL: fresh.url, tokens: writer() });
    const second = await api2.post('/deliveries', { recipient: 'Eeva', destination: 'Turku, FI' });
    await waitForStatus(api2, [second.data.id], 'planned');
    expect(readFileSync(keyFile, 'utf8')).not.toBe(oldPem);
    await clientKeys({ out: keysDir, jwks: jwksFile, retire: publicJwk!.kid });
    const refusedBefore = auth.records().filter((r) => r.message === 'token refused').length;
    // The first process still holds the retired key: its next token request is refused.
    await stop(gift);
    const oldKeyFile = join(root, 'old.private.pem');
    writeFileSync(oldKeyFile, oldPem, { mode: 0o600 });
    const stale = await startGiftdeliveries(join(root, 'keys-3'), {
      CLIENT_ID: DEMO_KEY_CLIENT.id,
      TOKEN_AUTH_METHOD: 'private_key_jwt',
      CLIENT_PRIVATE_KEY_FILE: oldKeyFile,
      RETRY_BASE_MS: '60000',
    });
    const api3 = createApiClient({ baseURL: stale.url, tokens: writer() });
    await api3.post('/deliveries', { recipient: 'Ville', destination: 'Tampere, FI' });
    const deadline = Date.now() + 20_000;
    while (!stale.records().some((r) => r.message === 'token request refused')) {
      if (Date.now() > deadline) throw new Error('the retired key was not refused');
      await sleep(100);
    }
    expect(stale.records()).toContainEqual(
      expect.objectContaining({
        message: 'token request refused',
        error: 'invalid_client',
        status: 401,
      }),
    );
    expect(auth.records().filter((r) => r.message === 'token refused').length).toBeGreaterThan(
      refusedBefore,
    );
    await Promise.all([stop(fresh), stop(stale)]);
  }, 90_000);

  it('plans a delivery with private_key_jwt and DPoP together: no secret, a bound token', async () => {
    const keysDir = join(root, 'client-keys-dpop');
    const jwksFile = join(root, 'auth', 'clients', `${DEMO_KEY_CLIENT.id}.jwks.json`);
    // A key of its own; the JWKS may hold the other tests' keys already (then it is added).
    await clientKeys({ out: keysDir, jwks: jwksFile, rotate: existsSync(jwksFile) });
    const gift = await startGiftdeliveries(join(root, 'keys-dpop'), {
      CLIENT_ID: DEMO_KEY_CLIENT.id,
      TOKEN_AUTH_METHOD: 'private_key_jwt',
      CLIENT_PRIVATE_KEY_FILE: join(keysDir, `${DEMO_KEY_CLIENT.id}.private.pem`),
      CLIENT_SECRET: 'not-the-secret-and-never-sent',
      TOKEN_BINDING: 'dpop',
    });
    const api = createApiClient({ baseURL: gift.url, tokens: writer() });
    const { status, data } = await api.post('/deliveries', {
      recipient: 'Aino',
      destination: 'Kyoto, JP',
    });
    expect(status).toBe(202);
    const [planned] = await waitForStatus(api, [data.id], 'planned');
    expect(planned!.route!.to).toMatchObject({ name: 'Kyoto', country: 'JP' });
    expect(gift.records().filter((r) => r.message === 'access token obtained')).toEqual([
      expect.objectContaining({ audience: 'urn:worldmappers', tokenType: 'DPoP' }),
    ]);
    expect(
      auth
        .records()
        .filter((r) => r.message === 'token issued' && r.client_id === DEMO_KEY_CLIENT.id).length,
    ).toBeGreaterThanOrEqual(1);
    const audits = worldmappers
      .records()
      .filter((r) => r.audit === true && r.clientId === DEMO_KEY_CLIENT.id);
    expect(audits.length).toBeGreaterThan(0);
    expect(audits.every((r) => r.decision === 'allow')).toBe(true);
    const lines = [...gift.lines(), ...auth.lines()].join('\n');
    expect(lines).not.toContain('not-the-secret-and-never-sent');
    await stop(gift);
  }, 90_000);

  it('stops at start with a clear message when the private key file is missing or not private', async () => {
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [appScript('giftdeliveries')],
          {
            cwd: appDir('giftdeliveries'),
            env: { PATH: process.env.PATH, ENV_FILE: 'none', DATA_DIR: join(root, 'bad'), ...env },
            timeout: 20_000,
          },
          (error, _stdout, stderr) =>
            resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
        );
      });
    const missing = await run({ TOKEN_AUTH_METHOD: 'private_key_jwt' });
    expect(missing.code).toBe(78);
    expect(missing.stderr).toContain(
      '  - CLIENT_PRIVATE_KEY_FILE: is required when TOKEN_AUTH_METHOD=private_key_jwt',
    );
    const publicOnly = join(root, 'public.jwk.json');
    writeFileSync(
      publicOnly,
      JSON.stringify({
        kty: 'EC',
        crv: 'P-256',
        x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
        y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
      }),
    );
    const wrong = await run({
      TOKEN_AUTH_METHOD: 'private_key_jwt',
      CLIENT_PRIVATE_KEY_FILE: publicOnly,
    });
    expect(wrong.code).toBe(78);
    expect(wrong.stderr).toContain('holds a public key, not a private key (no "d")');
  }, 60_000);

  it('refuses a request without a token (401) and a token without the scope (403)', async () => {
    const gift = await startGiftdeliveries(join(root, 'refusals'));
    const anonymous = await fetch(`${gift.url}/deliveries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ recipient: 'a', destination: 'Oulu' }),
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer realm="urn:giftdeliveries"/);

    const readOnly = await storefront('deliveries:read').getAccessToken();
    const res = await fetch(`${gift.url}/deliveries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${readOnly}` },
      body: JSON.stringify({ recipient: 'a', destination: 'Oulu' }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(((await res.json()) as { error: string }).error).toBe('insufficient_scope');
    await stop(gift);
  }, 60_000);

  it('loses nothing and plans nothing twice when restarted mid-queue', async () => {
    const dataDir = join(root, 'restart');
    const first = await startGiftdeliveries(dataDir, { WORKER_CONCURRENCY: '1' });
    const tokens = writer();
    let api = createApiClient({ baseURL: first.url, tokens });
    const destinations = [
      'Oulu',
      'Kemi',
      'Tornio',
      'Kuopio',
      'Tampere',
      'Turku',
      'Vaasa',
      'Joensuu',
    ];
    const ids: string[] = [];
    for (const destination of destinations) {
      const { data } = await api.post('/deliveries', { recipient: 'r', destination });
      ids.push(data.id as string);
    }
    await first.waitFor((r) => r.message === 'delivery planned', 30_000);
    expect(await stop(first)).toBe(0);
    const beforeRestart = plannedIds(first);
    expect(beforeRestart.length).toBeLessThan(ids.length);

    const second = await startGiftdeliveries(dataDir, { WORKER_CONCURRENCY: '3' });
    api = createApiClient({ baseURL: second.url, tokens });
    const all = await waitForStatus(api, ids, 'planned');
    expect(all.map((d) => d.id)).toEqual(ids);
    const planned = plannedIds(first, second);
    expect([...planned].sort()).toEqual([...ids].sort());
    await stop(second);
  }, 90_000);

  it('keeps deliveries pending while worldmappers-api is down and plans them when it returns', async () => {
    const gift = await startGiftdeliveries(join(root, 'outage'));
    const api = createApiClient({ baseURL: gift.url, tokens: writer() });
    const port = worldmappers.port;
    await worldmappers.stop();

    const { data } = await api.post('/deliveries', { recipient: 'Camille', destination: 'Paris' });
    await gift.waitFor(
      (r) => r.message === 'delivery planning postponed' && r.deliveryId === data.id,
      20_000,
    );
    await sleep(500);
    const pending = (await api.get<DeliveryView>(`/deliveries/${data.id}`)).data;
    expect(pending.status).toBe('pending');
    expect(pending.attempts).toBeGreaterThanOrEqual(1);
    expect(pending.lastError).toContain('worldmappers-api unreachable');

    worldmappers = await startApp('worldmappers-api', {
      port,
      env: { ISSUER_BASE_URL: issuer },
      timeoutMs: 60_000,
    });
    const [planned] = await waitForStatus(api, [data.id], 'planned', 30_000);
    expect(planned!.route!.to.name).toBe('Paris');
    expect(planned!.route!.distanceKm).toBeGreaterThan(2000);
    await stop(gift);
  }, 120_000);
});
