/**
 * The docker tier: the repository's Dockerfile and compose files on a real engine, each step one
 * test, in order: build, start with no .env, the README's Docker and hands-on blocks, durability,
 * production mode, nothing left behind. Run it with `npm run test:docker -w e2e`
 * (tools/e2e/docker/run-tier.sh provides the engine, the base image and the final clean-up).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from '@repo/testkit';
import {
  BUILD_NETWORK_FILE,
  ComposeProject,
  SCALE_BUILD_NETWORK_FILE,
  composeCommand,
  composeVersion,
  run,
} from '../../src/compose-project.js';
import { DeliveriesClient, NEARBY_DESTINATIONS } from '../../src/deliveries.js';
import { docsRunnableBlocks } from '../../src/docs-pages.js';
import { runBlocks } from '../../src/docs-run.js';
import { fetchToken } from '../../src/tokens.js';
import { APPS, type App } from '../../src/workspace.js';

const log = (line: string) => process.stdout.write(`[docker] ${line}\n`);
const PROJECT = process.env.DOCKER_TIER_PROJECT ?? 'gift-deliveries-tier';
const PORTS: Record<App, number> = {
  'auth-server': 4000,
  'worldmappers-api': 7001,
  giftdeliveries: 7002,
};
const url = (app: App) => `http://127.0.0.1:${PORTS[app]}`;
const ISSUER = `${url('auth-server')}/`;
const stack = new ComposeProject(PROJECT, ['docker-compose.yml', BUILD_NETWORK_FILE]);
const production = new ComposeProject(
  `${PROJECT}-production`,
  ['docker-compose.yml', 'docker-compose.production.yml', BUILD_NETWORK_FILE],
  Object.fromEntries(
    ['GIFTDELIVERIES', 'STORE_LOCATOR', 'STOREFRONT', 'BANNED_PARTNER', 'CONSOLE'].map((client) => [
      `${client}_CLIENT_SECRET`,
      randomBytes(32).toString('hex'),
    ]),
  ),
);
const scale = new ComposeProject(`${PROJECT}-scale`, [
  'docker-compose.scale.yml',
  SCALE_BUILD_NETWORK_FILE,
]);
const figures: Record<string, number> = {};
const seconds = (since: number) => Math.round((Date.now() - since) / 1000);

/** Status of a worldmappers-api call with `token`. */
async function apiStatus(path: string, token: string): Promise<number> {
  const res = await fetch(`${url('worldmappers-api')}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await res.arrayBuffer();
  return res.status;
}

/** A token request with a secret given here (the dev defaults live in fetchToken). */
async function tokenRequest(clientId: string, secret: string, audience: string) {
  const res = await fetch(`${ISSUER}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
      audience,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  const engine = await run('docker', ['version', '--format', '{{.Server.Version}}']);
  log(`engine ${engine.stdout.trim()}, compose ${await composeVersion()}`);
  await stack.down();
  await production.down();
  await scale.down();
});

afterAll(async () => {
  await stack.down();
  await production.down();
  await scale.down();
  log(`figures: ${JSON.stringify(figures)}`);
}, 120_000);

describe('docker compose, on a real engine', () => {
  it('accepts every compose file, the external-provider one only from Compose 2.24', async () => {
    const config = (files: string[], env: Record<string, string> = {}) =>
      new ComposeProject(PROJECT, files, env).compose(['config', '--quiet'], {
        allowFailure: true,
      });
    expect((await config(['docker-compose.yml'])).code).toBe(0);
    const prod = await config(
      ['docker-compose.yml', 'docker-compose.production.yml'],
      production.env,
    );
    expect(prod.code, prod.stderr).toBe(0);
    const external = await config(['docker-compose.yml', 'docker-compose.external-idp.yml'], {
      ISSUER_BASE_URL: 'https://tenant.eu.auth0.com/',
      CLIENT_SECRET: 'from-the-tenant',
    });
    if ((await composeVersion()).startsWith('1.')) {
      // v1 cannot parse the merge tags; the README says so.
      expect(external.code).not.toBe(0);
      expect(external.stderr).toContain('!reset');
    } else {
      expect(external.code, external.stderr).toBe(0);
    }
  }, 60_000);

  it('builds the three images from the one Dockerfile: production dependencies and dist only', async () => {
    const started = Date.now();
    await stack.compose(['build'], {
      timeoutMs: 1_500_000,
      onLine: (line) => {
        if (/^(Building |Successfully tagged |#\d+ \[\w+ \d+\/\d+\])/.test(line)) log(line);
      },
    });
    figures.buildSeconds = seconds(started);
    log(`three images built in ${figures.buildSeconds} s`);
    for (const app of APPS) {
      const image = await stack.image(app);
      const [info] = JSON.parse((await run('docker', ['image', 'inspect', image])).stdout) as {
        Size: number;
        Config: { User: string; WorkingDir: string; Env: string[]; Cmd: string[] };
      }[];
      figures[`${app}MB`] = Math.round(info!.Size / 1e6);
      expect({ app, user: info!.Config.User, dir: info!.Config.WorkingDir }).toEqual({
        app,
        user: 'node',
        dir: `/app/apps/${app}`,
      });
      expect(info!.Config.Cmd).toEqual(['node', 'dist/index.js']);
      expect(info!.Config.Env).toEqual(
        expect.arrayContaining(['NODE_ENV=production', `PORT=${PORTS[app]}`, 'DATA_DIR=/data']),
      );
      // Inside: the LTS, each workspace's package.json, dist and node_modules only, no other app
      // and no development dependency.
      const script =
        'node --version; cd /app; for ws in apps/* packages/*; do echo "$ws:" $(ls -A "$ws"); done;' +
        ' for dev in typescript vitest tsx eslint turbo supertest; do [ ! -e node_modules/$dev ] || echo "dev: $dev"; done';
      const { stdout } = await run('docker', [
        'run',
        '--rm',
        '--network',
        'none',
        image,
        'sh',
        '-c',
        script,
      ]);
      const [version, ...lines] = stdout.trim().split('\n');
      expect(version).toMatch(/^v24\./);
      expect(lines.filter((line) => line.startsWith('apps/'))).toEqual([
        expect.stringMatching(new RegExp(`^apps/${app}: dist( node_modules)? package\\.json$`)),
      ]);
      for (const line of lines)
        expect(line).toMatch(/^\w+\/[\w-]+: (dist )?(node_modules )?package\.json$/);
      log(`${image}: ${figures[`${app}MB`]} MB, node ${version}`);
    }
  }, 1_600_000);

  it('starts with no .env, in order, all three healthy, the logs telling the story', async () => {
    const started = Date.now();
    await stack.compose(['up', '--detach', '--no-build']);
    await stack.waitHealthy(APPS);
    figures.healthySeconds = seconds(started);
    log(`all three healthy ${figures.healthySeconds} s after up`);
    const auth = await stack.inspect('auth-server');
    const gift = await stack.inspect('giftdeliveries');
    expect(auth.Config.Env).toContain('ISSUER=http://auth-server:4000/');
    expect(gift.Config.Env).toContain('WORLDMAPPERS_API_URL=http://worldmappers-api:7001');
    for (const app of APPS) {
      const res = await fetch(`${url(app)}/healthz`);
      expect({ app, status: res.status, body: await res.json() }).toMatchObject({
        app,
        status: 200,
        body: { status: 'ok' },
      });
    }
    // Seen from the host too, the configured issuer names every URL (never the request's Host).
    const discovery = (await (
      await fetch(`${ISSUER}.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: 'http://auth-server:4000/',
      token_endpoint: 'http://auth-server:4000/token',
      jwks_uri: 'http://auth-server:4000/jwks',
    });
    const logs = (await stack.compose(['logs', '--no-color'])).stdout;
    expect(logs).toContain('issuer=http://auth-server:4000/');
    expect(logs).toMatch(/giftdeliveries.*sample deliveries enqueued/);
    // Health probes are debug lines, and Node 24 is an LTS oidc-provider supports.
    expect(logs).not.toContain('path=/healthz');
    expect(logs).not.toContain('Unsupported runtime');
  }, 300_000);

  it("runs the documentation's Docker and hands-on blocks against the stack, as written", async () => {
    const blocks = docsRunnableBlocks('en');
    expect(blocks.filter((block) => block.runnable.stack === 'docker').length).toBeGreaterThan(1);
    const shim = composeShim();
    try {
      const session = await runBlocks(
        blocks,
        {
          AUTH: url('auth-server'),
          API: url('worldmappers-api'),
          GIFT: url('giftdeliveries'),
          COMPOSE_PROJECT_NAME: stack.name,
          COMPOSE_FILE: stack.files.join(':'),
          PATH: `${shim.dir ? `${shim.dir}:` : ''}${process.env.PATH}`,
          ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
        },
        { timeoutMs: 240_000, cwd: stack.cwd },
      );
      for (const result of session.blocks) {
        const { id, expect: wanted } = result.block.runnable;
        const context = `--- ${id} ---\n${result.block.code}\n--- output ---\n${result.output}`;
        expect(result.completed, `${context}\n--- transcript ---\n${session.transcript}`).toBe(
          true,
        );
        for (const text of wanted) expect(result.output, context).toContain(text);
        log(`documentation block ${id}: passed`);
      }
      expect(session.exitCode).toBe(0);
    } finally {
      shim.remove();
    }
  }, 300_000);

  it('keeps the signing key across restarts: a token issued before still verifies', async () => {
    const { access_token: token } = await fetchToken(ISSUER, 'giftdeliveries', 'urn:worldmappers');
    const { kid } = decodeJwt(token).header;
    expect(await apiStatus('/api/location/geocode?address=Kyoto', token)).toBe(200);
    // Both restarted: the API must fetch the keys anew from the restarted auth-server.
    await stack.compose(['restart', 'auth-server', 'worldmappers-api']);
    await stack.waitHealthy(APPS);
    log('auth-server and worldmappers-api restarted');
    const jwks = (await (await fetch(`${ISSUER}.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((key) => key.kid)).toContain(kid);
    const after = await fetchToken(ISSUER, 'giftdeliveries', 'urn:worldmappers');
    expect(decodeJwt(after.access_token).header.kid).toBe(kid);
    expect(await apiStatus('/api/location/geocode?address=Kyoto', token)).toBe(200);
  }, 180_000);

  it('keeps the deliveries across down and up', async () => {
    const client = new DeliveriesClient(url('giftdeliveries'), ISSUER);
    const { status, body } = await client.create({ recipient: 'Durable', destination: 'Oulu, FI' });
    expect({ status, pending: body.status }).toEqual({ status: 202, pending: 'pending' });
    const [before] = await client.waitUntilSettled([body.id!], 60_000);
    expect(before!.status).toBe('planned');
    await stack.compose(['down', '--timeout', '10']);
    log('stack down (volumes kept)');
    await stack.compose(['up', '--detach', '--no-build']);
    await stack.waitHealthy(APPS);
    log('stack up again');
    const fresh = new DeliveriesClient(url('giftdeliveries'), ISSUER);
    expect(await fresh.get(body.id!)).toEqual(before);
  }, 300_000);

  it('loses and duplicates nothing when giftdeliveries is killed (SIGKILL) while it plans', async () => {
    const client = new DeliveriesClient(url('giftdeliveries'), ISSUER);
    const destinations = [...NEARBY_DESTINATIONS, 'Kyoto, JP', 'Lisbon, PT', 'Madrid, ES'];
    const count = 150;
    const delivery = (i: number) => ({
      recipient: `Killed ${i}`,
      destination: destinations[i % destinations.length]!,
    });
    const killed = <T extends { recipient: string }>(views: T[]) =>
      views.filter((view) => view.recipient.startsWith('Killed '));
    const posts = await Promise.all(
      Array.from({ length: count }, (_, i) => client.create(delivery(i), `sigkill-${i}`)),
    );
    expect(posts.map((post) => post.status)).toEqual(posts.map(() => 202));
    const ids = posts.map((post) => post.body.id!);
    // Killed the moment planning has begun: some planned, the rest pending or in flight.
    let pending = count;
    while (pending === count) pending = killed(await client.list('pending')).length;
    const before = await stack.inspect('giftdeliveries');
    process.kill(before.State.Pid, 'SIGKILL');
    log(`SIGKILL with ${count - pending} of ${count} deliveries planned`);
    expect(pending).toBeGreaterThan(0);

    // `restart: unless-stopped` brings it back; the killed worker's claims return after their lease.
    await stack.waitHealthy(APPS);
    const after = await stack.inspect('giftdeliveries');
    expect(after.RestartCount).toBe(before.RestartCount + 1);
    let reported = -1;
    const settled = await client.waitUntilSettled(ids, 150_000, (done, total) => {
      if (done !== reported) log(`after the kill: ${(reported = done)} of ${total} planned`);
    });
    expect(settled.map((view) => view.status)).toEqual(ids.map(() => 'planned'));
    const replays = await Promise.all(
      ids.map((_, i) => client.create(delivery(i), `sigkill-${i}`)),
    );
    expect(replays.map((replay) => replay.body.id)).toEqual(ids);
    const stored = killed(await client.list());
    expect(stored.map((view) => view.id).sort()).toEqual([...ids].sort());
  }, 300_000);

  it('runs the production file with generated secrets, and refuses the development ones', async () => {
    await stack.down();
    await production.compose(['build'], { timeoutMs: 600_000 });
    await production.compose(['up', '--detach', '--no-build']);
    await production.waitHealthy(APPS);
    log('production stack healthy');
    const secret = production.env.STOREFRONT_CLIENT_SECRET!;
    const dev = await tokenRequest('storefront', 'storefront-dev-secret', 'urn:giftdeliveries');
    expect(dev).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const real = await tokenRequest('storefront', secret, 'urn:giftdeliveries');
    expect(real.status).toBe(200);
    // giftdeliveries got the same generated secret: it plans with its own token.
    const accepted = await fetch(`${url('giftdeliveries')}/deliveries`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${String(real.body.access_token)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ recipient: 'Prod', destination: 'Kyoto, JP' }),
    });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    let delivery: { status?: string } = {};
    for (let i = 0; i < 60 && delivery.status !== 'planned'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const res = await fetch(`${url('giftdeliveries')}/deliveries/${id}`, {
        headers: { authorization: `Bearer ${String(real.body.access_token)}` },
      });
      delivery = (await res.json()) as typeof delivery;
    }
    expect(delivery.status).toBe('planned');
    const logs = (await production.compose(['logs', '--no-color', 'auth-server'])).stdout;
    expect(logs).toContain('"message":"listening on');
    expect(logs).not.toContain(secret);

    const refused = await production.compose(['run', '--rm', '--no-deps', '-T', 'auth-server'], {
      env: { STOREFRONT_CLIENT_SECRET: 'storefront-dev-secret' },
      allowFailure: true,
    });
    const output = refused.stdout + refused.stderr;
    expect(refused.code, output).not.toBe(0);
    expect(output).toContain(
      'STOREFRONT_CLIENT_SECRET: is a development secret published in .env.example',
    );
    await production.down();
  }, 600_000);

  it('runs the scaled file: three replicas of each behind HAProxy, every delivery planned once', async () => {
    await stack.down();
    await scale.compose(['build'], { timeoutMs: 600_000 });
    const started = Date.now();
    await scale.compose(['up', '--detach', '--no-build']);
    await scale.waitHealthy([...APPS, 'postgres', 'redis']);
    figures.scaledHealthySeconds = seconds(started);
    for (const app of APPS) expect((await scale.inspectAll(app)).length).toBe(3);
    log(`scaled stack healthy ${figures.scaledHealthySeconds} s after up: 3 replicas each`);

    // The balancer sends a replica requests only once its /readyz answers: wait for that.
    const client = new DeliveriesClient(url('giftdeliveries'), ISSUER);
    let ready = false;
    for (const until = Date.now() + 60_000; !ready && Date.now() < until;) {
      const res = await fetch(`${url('giftdeliveries')}/readyz`).catch(() => undefined);
      ready = res?.status === 200;
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(ready).toBe(true);
    // Every auth-server replica signs with the one key of the shared volume.
    const kids = new Set<string>();
    for (let i = 0; i < 6; i += 1) {
      const { access_token: token } = await fetchToken(
        ISSUER,
        'giftdeliveries',
        'urn:worldmappers',
      );
      expect(decodeJwt(token).payload.iss).toBe('http://balancer:4000/');
      kids.add(String(decodeJwt(token).header.kid));
      expect(await apiStatus('/api/location/geocode?address=Kyoto', token)).toBe(200);
    }
    expect(kids.size).toBe(1);

    const count = 90;
    const destinations = [...NEARBY_DESTINATIONS, 'Kyoto, JP', 'Lisbon, PT', 'Madrid, ES'];
    const posts = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        client.create(
          { recipient: `Scaled ${i}`, destination: destinations[i % destinations.length]! },
          `scaled-${i}`,
        ),
      ),
    );
    expect(posts.map((post) => post.status)).toEqual(posts.map(() => 202));
    const ids = posts.map((post) => post.body.id!);
    const settled = await client.waitUntilSettled(ids, 180_000);
    expect(settled.map((view) => view.status)).toEqual(ids.map(() => 'planned'));

    // Planned once each, by whichever replica claimed it; the work spread over the replicas.
    const lines = (await scale.compose(['logs', '--no-color', 'giftdeliveries'])).stdout
      .split('\n')
      .flatMap((line) => {
        const json = line.slice(line.indexOf('{'));
        try {
          return [JSON.parse(json) as { message?: string; deliveryId?: string; replica?: string }];
        } catch {
          return [];
        }
      })
      .filter(
        (record) => record.message === 'delivery planned' && ids.includes(record.deliveryId!),
      );
    expect(lines.map((record) => record.deliveryId).sort()).toEqual([...ids].sort());
    const byReplica = new Map<string, number>();
    for (const record of lines)
      byReplica.set(record.replica!, (byReplica.get(record.replica!) ?? 0) + 1);
    figures.scaledReplicasPlanning = byReplica.size;
    log(`planned ${count} deliveries once each: ${JSON.stringify(Object.fromEntries(byReplica))}`);
    expect(byReplica.size).toBeGreaterThan(1);
    await scale.down();
  }, 900_000);

  it('leaves no container, volume or network of its projects behind', async () => {
    await stack.down();
    await production.down();
    await scale.down();
    for (const kind of ['container', 'volume', 'network'] as const) {
      for (const project of [stack.name, production.name, scale.name]) {
        const filter = `label=com.docker.compose.project=${project}`;
        const args = kind === 'container' ? ['ps', '-a', '-q'] : [kind, 'ls', '-q'];
        const { stdout } = await run('docker', [...args, '--filter', filter]);
        expect({ kind, project, left: stdout.trim() }).toEqual({ kind, project, left: '' });
      }
    }
  }, 120_000);
});

/**
 * Where only Compose v1 (`docker-compose`) is installed, a `docker` on PATH that runs the README's
 * `docker compose …` with it (and `exec -T` without a terminal, as v2 decides by itself).
 */
function composeShim(): { dir: string | undefined; remove(): void } {
  const [command] = composeCommand();
  if (command !== 'docker-compose') return { dir: undefined, remove() {} };
  const dir = mkdtempSync(join(tmpdir(), 'compose-shim-'));
  const docker = join(dir, 'docker');
  writeFileSync(
    docker,
    [
      '#!/bin/sh',
      'if [ "$1" = compose ]; then',
      '  shift',
      '  if [ "$1" = exec ] && [ ! -t 0 ]; then shift; set -- exec -T "$@"; fi',
      '  exec docker-compose "$@"',
      'fi',
      `PATH=$(printf %s "$PATH" | sed "s#^${dir}:##") exec docker "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(docker, 0o755);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
