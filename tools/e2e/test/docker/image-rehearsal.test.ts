import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  APPS,
  mergeCompose,
  readCompose,
  rehearseImage,
  repoRoot,
  servicesOf,
  startStack,
  type App,
  type RehearsedImage,
  type Stack,
} from '../../src/index.js';
import { DEMO_CLIENTS } from '@repo/contracts';

/*
 * Image rehearsal: what `docker compose up --build` does, without a Docker engine. Each app's
 * Dockerfile is replayed step by step in a temporary directory (turbo prune → npm ci from out/json
 * → copy out/full → turbo build → npm prune --omit=dev → runtime files), then the three services
 * run from those outputs with the environment docker-compose.yml gives them, each compose
 * healthcheck command runs as written, and a delivery is planned end to end.
 *
 * Slow by nature (three `npm ci`), so sequential and verbose. The npm cache makes it quicker.
 */

const log = (line: string) => process.stdout.write(`[rehearsal] ${line}\n`);
const workDir = mkdtempSync(join(tmpdir(), 'gift-deliveries-rehearsal-'));
const services = servicesOf(readCompose(join(repoRoot, 'docker-compose.yml')));
const images: Partial<Record<App, RehearsedImage>> = {};
let stack: Stack | undefined;

/** What a workspace may hold in an image. */
const RUNTIME_FILES = new Set(['package.json', 'dist', 'node_modules']);

afterAll(async () => {
  await stack?.stop();
  if (process.env.KEEP_REHEARSAL) log(`kept ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
}, 120_000);

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;

describe('image rehearsal', () => {
  for (const app of APPS) {
    it(`builds the ${app} image from its Dockerfile: production dependencies and dist only`, async () => {
      const build = services[app]!.build as { context: string; dockerfile: string };
      log(`${app}: building (${elapsed()} so far)`);
      const image = await rehearseImage({
        context: join(repoRoot, build.context),
        dockerfile: build.dockerfile,
        workDir: join(workDir, app),
        log,
        // The same install, served from the npm cache when it can be.
        runEnv: { npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' },
      });
      images[app] = image;
      expect(image.cmd).toEqual(['node', `apps/${app}/dist/index.js`]);
      expect(image.user).toBe('node');
      expect(image.env.NODE_ENV).toBe('production');
      expect(existsSync(join(image.workdir, 'apps', app, 'dist', 'index.js'))).toBe(true);
      // No sources, no development dependencies, no other app. (npm keeps the links to every
      // pruned workspace, so @repo/testkit's dist may be there, without its own dependencies.)
      for (const workspace of ['apps', 'packages'].flatMap((dir) =>
        readdirSync(join(image.workdir, dir)).map((name) => join(image.workdir, dir, name)),
      )) {
        expect(readdirSync(workspace).filter((entry) => !RUNTIME_FILES.has(entry))).toEqual([]);
      }
      for (const devOnly of ['typescript', 'vitest', 'tsx', 'eslint', 'turbo', 'supertest']) {
        expect({
          devOnly,
          present: existsSync(join(image.workdir, 'node_modules', devOnly)),
        }).toEqual({ devOnly, present: false });
      }
      for (const other of APPS.filter((name) => name !== app)) {
        expect(existsSync(join(image.workdir, 'apps', other))).toBe(false);
      }
      log(`${app}: image ready (${elapsed()})`);
    }, 240_000);
  }

  it('starts the services in dependency order, each healthy by its compose healthcheck', async () => {
    for (const app of APPS) if (!images[app]) throw new Error(`the ${app} image was not built`);
    stack = await startStack({
      services,
      images: images as Record<App, RehearsedImage>,
      volumesDir: join(workDir, 'volumes'),
      log,
    });
    const auth = stack.services['auth-server']!;
    const api = stack.services['worldmappers-api']!;
    const gift = stack.services.giftdeliveries!;
    // One issuer string everywhere (here 127.0.0.1 and a free port stand for auth-server:4000).
    expect(auth.env.ISSUER).toBe(`http://127.0.0.1:${auth.port}/`);
    expect(api.env.ISSUER_BASE_URL).toBe(auth.env.ISSUER);
    expect(gift.env.ISSUER_BASE_URL).toBe(auth.env.ISSUER);
    expect(gift.env.WORLDMAPPERS_API_URL).toBe(`http://127.0.0.1:${api.port}`);
    for (const service of Object.values(stack.services)) {
      expect(service.env.NODE_ENV).toBe('development');
      expect(await service.healthcheck()).toBe(0);
      expect(service.process.lines().join('\n')).toContain('listening on');
    }
    // The discovery document names the same issuer the others trust.
    const discovery = (await (
      await fetch(`${auth.url}/.well-known/openid-configuration`)
    ).json()) as { issuer: string };
    expect(discovery.issuer).toBe(auth.env.ISSUER);
    log(`stack healthy (${elapsed()})`);
  }, 120_000);

  it('plans a delivery end to end: storefront token → giftdeliveries → worldmappers-api', async () => {
    if (!stack) throw new Error('the stack did not start');
    const auth = stack.services['auth-server']!;
    const gift = stack.services.giftdeliveries!;
    const tokenResponse = await fetch(`${auth.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'storefront',
        client_secret: auth.env.STOREFRONT_CLIENT_SECRET!,
        audience: gift.env.AUDIENCE!,
      }),
    });
    expect(tokenResponse.status).toBe(200);
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as {
      iss: string;
      aud: string | string[];
    };
    expect(claims.iss).toBe(auth.env.ISSUER);

    const accepted = await fetch(`${gift.url}/deliveries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ recipient: 'Ada', destination: 'Kyoto, JP', gift: 'a kite' }),
    });
    expect(accepted.status).toBe(202);
    const { id, status } = (await accepted.json()) as { id: string; status: string };
    expect(status).toBe('pending');

    let delivery: { status: string; [key: string]: unknown } = { status: 'pending' };
    const deadline = Date.now() + 60_000;
    while (delivery.status === 'pending' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const res = await fetch(`${gift.url}/deliveries/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      delivery = (await res.json()) as typeof delivery;
    }
    log(`delivery ${id}: ${JSON.stringify(delivery).slice(0, 300)}`);
    expect(delivery.status).toBe('planned');
    log(`delivery planned end to end (${elapsed()})`);
  }, 90_000);

  it('runs auth-server in production mode with real secrets, and refuses the demo ones', async () => {
    const production = servicesOf(
      mergeCompose(
        readCompose(join(repoRoot, 'docker-compose.yml')),
        readCompose(join(repoRoot, 'docker-compose.production.yml')),
      ) as Record<string, unknown>,
    );
    const only = { 'auth-server': production['auth-server']! };
    const image = { 'auth-server': images['auth-server']! };
    const secrets = Object.fromEntries(
      ['GIFTDELIVERIES', 'STORE_LOCATOR', 'STOREFRONT', 'BANNED_PARTNER'].map((client) => [
        `${client}_CLIENT_SECRET`,
        `${client.toLowerCase()}-${'x'.repeat(40)}`,
      ]),
    );
    const real = await startStack({
      services: only,
      images: image,
      interpolation: secrets,
      volumesDir: join(workDir, 'production-volumes'),
      log,
    });
    try {
      const auth = real.services['auth-server']!;
      expect(auth.env.NODE_ENV).toBe('production');
      expect(auth.process.lines().join('\n')).toContain('"message":"listening on');
    } finally {
      await real.stop();
    }
    await expect(
      startStack({
        services: only,
        images: image,
        interpolation: { ...secrets, STOREFRONT_CLIENT_SECRET: DEMO_CLIENTS.storefront.devSecret },
        volumesDir: join(workDir, 'production-volumes'),
        log,
      }),
    ).rejects.toThrow(/STOREFRONT_CLIENT_SECRET/);
  }, 60_000);
});
