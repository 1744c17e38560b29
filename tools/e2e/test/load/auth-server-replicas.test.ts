/**
 * Two auth-server replicas behind one issuer, as real processes: one key file (a shared volume)
 * and one Redis (a server of this test's own, so it can be restarted without touching the
 * machine's). A key rotated through the file is used and published by both; wrong secrets spread
 * over both are counted together; a restart of Redis mid-run costs no token and the replicas
 * count together again once it is back, without intervention.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateKeys, startApp } from 'demo-stack';
import { DEMO_CLIENTS } from '@repo/contracts';
import {
  decodeJwt,
  freePort,
  startRedisServer,
  type RedisServer,
  type ServiceProcess,
} from '@repo/testkit';
import { fetchToken } from '../../src/tokens.js';

let dataDir: string;
let redis: RedisServer;
let issuer: string;
const replicas: ServiceProcess[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'auth-replicas-'));
  redis = await startRedisServer();
  const ports = [await freePort(), await freePort()];
  // One issuer for both, as behind a load balancer: the first replica's address.
  issuer = `http://127.0.0.1:${ports[0]}/`;
  for (const [index, port] of ports.entries()) {
    // One at a time: the first creates the key file the second reads.
    replicas.push(
      await startApp('auth-server', {
        port,
        timeoutMs: 60_000,
        env: { ISSUER: issuer, DATA_DIR: dataDir, REDIS_URL: redis.url, LOG_LEVEL: 'info' },
      }),
    );
    expect(
      replicas[index]!.records().find((r) => String(r.message).startsWith('listening')),
    ).toMatchObject({
      rate_limit_store: `${redis.url}`,
    });
  }
}, 120_000);

afterAll(async () => {
  for (const replica of replicas) await replica.stop();
  await redis?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const tokenAt = (replica: ServiceProcess) =>
  fetchToken(`${replica.url}/`, 'store-locator', 'urn:worldmappers');

const wrongSecret = (replica: ServiceProcess, clientId: string) =>
  fetch(`${replica.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: 'not-the-secret',
      audience: 'urn:worldmappers',
    }),
  });

const publishedKids = async (replica: ServiceProcess) =>
  ((await (await fetch(`${replica.url}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map(
    (key) => key.kid,
  );

const readiness = async (replica: ServiceProcess) => {
  const res = await fetch(`${replica.url}/readyz`);
  return { status: res.status, body: (await res.json()) as { checks: { counters: unknown } } };
};

/** /readyz answers from a 2 s cache: ask until `expected` shows (or 8 s pass). */
async function countersUntil(replica: ServiceProcess, expected: object) {
  let last = await readiness(replica);
  for (const until = Date.now() + 8_000; Date.now() < until;) {
    if (JSON.stringify(last.body.checks.counters) === JSON.stringify(expected)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await readiness(replica);
  }
  return last;
}

describe('two auth-server replicas on one key file and one Redis', () => {
  it('both publish one key and sign with it; a token from either has the same issuer', async () => {
    const [a, b] = replicas as [ServiceProcess, ServiceProcess];
    const kidsA = await publishedKids(a);
    expect(kidsA).toHaveLength(1);
    expect(await publishedKids(b)).toEqual(kidsA);
    for (const replica of [a, b]) {
      const token = await tokenAt(replica);
      expect(decodeJwt(token.access_token).header.kid).toBe(kidsA[0]);
      expect(decodeJwt(token.access_token).payload.iss).toBe(issuer);
    }
  });

  it('a key rotated through the shared file signs at both, and both publish old and new', async () => {
    const [a, b] = replicas as [ServiceProcess, ServiceProcess];
    const [oldKid] = await publishedKids(a);
    const printed = await rotateKeys(dataDir);
    const newKid = /new key, signs from now on: (\S+)/.exec(printed)?.[1];
    expect(newKid).toBeDefined();
    expect(newKid).not.toBe(oldKid);
    // No restart, no wait: each replica looks at the file before every request.
    for (const replica of [a, b]) {
      expect(decodeJwt((await tokenAt(replica)).access_token).header.kid).toBe(newKid);
      expect(await publishedKids(replica)).toEqual([newKid, oldKid]);
    }
  });

  it('reports its counters as shared in /readyz', async () => {
    for (const replica of replicas) {
      expect(await readiness(replica)).toEqual({
        status: 200,
        body: {
          status: 'ready',
          checks: {
            keys: { status: 'ok', signingKid: expect.any(String), published: 2 },
            counters: { status: 'ok', store: 'redis', shared: true },
          },
        },
      });
    }
  });

  it('counts five wrong secrets spread over both replicas as five: the next guesses are paced', async () => {
    const [a, b] = replicas as [ServiceProcess, ServiceProcess];
    // Five failures is the default allowance (CLIENT_AUTH_MAX_FAILURES): 3 at a, 2 at b.
    for (const replica of [a, b, a, b, a]) {
      const res = await wrongSecret(replica, 'storefront');
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_client' });
    }
    // Each replica alone has seen at most three: only the shared count paces these.
    const started = Date.now();
    const burst = await Promise.all([wrongSecret(b, 'storefront'), wrongSecret(b, 'storefront')]);
    const elapsed = Date.now() - started;
    expect(burst.map((res) => res.status)).toEqual([401, 401]);
    // One guess per 2 s per address once the allowance is spent: the second waited its slot.
    expect(elapsed).toBeGreaterThanOrEqual(1_500);
    // The right secret still gets its token (slowed, never locked).
    expect((await tokenAt(a)).token_type).toBe('Bearer');
  }, 30_000);

  it('keeps issuing tokens while Redis restarts, says so in /readyz, and shares counts again after', async () => {
    const [a, b] = replicas as [ServiceProcess, ServiceProcess];
    await redis.stop();
    // Each replica falls back to its own counters: tokens are still issued by both.
    for (const replica of [a, b]) {
      expect((await tokenAt(replica)).token_type).toBe('Bearer');
    }
    for (const replica of [a, b]) {
      const down = await countersUntil(replica, {
        status: 'ok',
        store: 'redis',
        shared: false,
        reason: 'Redis is unreachable: this replica counts alone until it is back.',
      });
      // Still ready: an outage of Redis must not take every replica out of its balancer.
      expect(down.status).toBe(200);
      expect(down.body.checks.counters).toMatchObject({ shared: false });
      await replica.waitFor(
        (r) => r.message === 'rate limit store unreachable, counting in memory meanwhile',
        10_000,
      );
    }

    await redis.start();
    for (const replica of [a, b]) {
      // ioredis reconnects by itself; nothing is restarted.
      await replica.waitFor((r) => r.message === 'rate limit store reachable again', 30_000);
      const up = await countersUntil(replica, { status: 'ok', store: 'redis', shared: true });
      expect(up.body.checks.counters).toEqual({ status: 'ok', store: 'redis', shared: true });
    }
    // Counted together again (the restarted Redis starts empty): 3 + 2 wrong, then paced.
    for (const replica of [a, b, a, b, a]) {
      expect((await wrongSecret(replica, 'giftdeliveries')).status).toBe(401);
    }
    const started = Date.now();
    const burst = await Promise.all([
      wrongSecret(b, 'giftdeliveries'),
      wrongSecret(b, 'giftdeliveries'),
    ]);
    expect(burst.map((res) => res.status)).toEqual([401, 401]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    for (const replica of replicas) {
      expect(replica.child.exitCode).toBeNull();
      expect(
        replica.lines().filter((line) => line.includes(DEMO_CLIENTS.storefront.devSecret)),
      ).toEqual([]);
    }
  }, 90_000);
});
