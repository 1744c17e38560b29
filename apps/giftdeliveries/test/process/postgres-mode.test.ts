/**
 * giftdeliveries as a real process on the machine's PostgreSQL (`DATABASE_URL`), reached through
 * a relay the test can cut: a database "restart" for this process only, the shared server untouched.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  startService,
  startTcpProxy,
  startTestIssuer,
  waitForHttp,
  type ServiceProcess,
  type TcpProxy,
  type TestDatabase,
  type TestIssuer,
} from '@repo/testkit';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const entry = join(appDir, 'dist', 'index.js');
/** Trust authentication never asks for it; it is here to prove it is never printed. */
const PASSWORD = 'pg-password-never-logged';

let database: TestDatabase;
let proxy: TcpProxy;
let issuer: TestIssuer;
let gd: ServiceProcess;
let token: string;
let databaseUrl: string;

beforeAll(async () => {
  database = await createTestDatabase();
  proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
  issuer = await startTestIssuer();
  const url = new URL(database.url);
  url.port = String(proxy.port);
  url.password = PASSWORD;
  databaseUrl = url.toString();
  token = await issuer.mint({
    audience: 'urn:giftdeliveries',
    scope: 'deliveries:read deliveries:write',
    clientId: 'storefront',
  });
  gd = await startService('giftdeliveries', {
    entry,
    cwd: appDir,
    env: {
      DATABASE_URL: databaseUrl,
      REPLICA_ID: 'gd-process-1',
      ISSUER_BASE_URL: issuer.issuer,
      // Nothing answers there: deliveries stay pending, which is all these tests need.
      WORLDMAPPERS_API_URL: 'http://127.0.0.1:9',
      SEED_SAMPLE_DELIVERIES: 'false',
      WORKER_POLL_MS: '100',
      LOG_LEVEL: 'info',
    },
  });
}, 30_000);

afterAll(async () => {
  await gd?.stop();
  await issuer?.close();
  await proxy?.close();
  await database?.drop();
});

const post = (recipient: string, key: string) =>
  fetch(`${gd.url}/deliveries`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': key,
    },
    body: JSON.stringify({ recipient, destination: 'Oulu, FI' }),
  });

const get = (id: string) =>
  fetch(`${gd.url}/deliveries/${id}`, { headers: { authorization: `Bearer ${token}` } });

describe('giftdeliveries on PostgreSQL', () => {
  it('migrates on start, names the database with its password masked, and is ready', async () => {
    const listening = gd.records().find((r) => String(r.message).startsWith('listening'));
    const masked = databaseUrl.replace(PASSWORD, '***');
    expect(listening).toMatchObject({ replica: 'gd-process-1', database: masked });
    expect(gd.lines().filter((line) => line.includes(PASSWORD))).toEqual([]);
    const ready = await fetch(`${gd.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { store: { status: 'ok' } },
    });
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const { rows } = await admin.query('SELECT name FROM schema_migrations');
    await admin.end();
    expect(rows).toEqual([{ name: '001_deliveries.sql' }]);
  });

  it('while the database is away: not ready, 503 for new work, accepted work kept; then recovers by itself', async () => {
    const accepted = await post('Aino', 'before-outage');
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };

    await proxy.cut();
    // /readyz caches its answer for 2 s, so the outage shows within that.
    let notReady = await fetch(`${gd.url}/readyz`);
    for (const until = Date.now() + 5_000; notReady.status === 200 && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      notReady = await fetch(`${gd.url}/readyz`);
    }
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({
      status: 'not_ready',
      checks: {
        store: {
          status: 'fail',
          reason: 'The deliveries database is unavailable; retry shortly.',
        },
      },
    });
    const refused = await post('Maya', 'during-outage');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'The deliveries database is unavailable; retry shortly.',
    });
    await gd.waitFor((r) => r.message === 'could not claim deliveries', 10_000);

    await proxy.restore();
    await waitForHttp(`${gd.url}/readyz`, 20_000);
    await gd.waitFor((r) => r.message === 'claiming deliveries again', 40_000);
    expect((await get(id)).status).toBe(200);
    const retried = await post('Maya', 'during-outage');
    expect(retried.status).toBe(202);
    expect(gd.child.exitCode).toBeNull();
    expect(gd.lines().filter((line) => line.includes(PASSWORD))).toEqual([]);
  }, 90_000);

  it('refuses a DATABASE_URL that is not PostgreSQL, without echoing it', async () => {
    const secret = 'mysql://shop:very-secret@db.internal/shop';
    const { code, output } = await new Promise<{ code: number | null; output: string }>(
      (resolve) => {
        const child = execFile(
          process.execPath,
          [entry],
          {
            cwd: appDir,
            env: { PATH: process.env.PATH, ENV_FILE: 'none', DATABASE_URL: secret },
          },
          (_error, stdout, stderr) => resolve({ code: child.exitCode, output: stdout + stderr }),
        );
      },
    );
    expect(code).toBe(78);
    expect(output).toContain(
      'DATABASE_URL: expected the scheme postgres: or postgresql:, not mysql:, e.g. DATABASE_URL=postgres://giftdeliveries@localhost:5432/giftdeliveries (value hidden)',
    );
    expect(output).not.toContain('very-secret');
  });
});
