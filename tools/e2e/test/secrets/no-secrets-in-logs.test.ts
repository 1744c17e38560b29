/**
 * The whole demo in development mode (debug logs), once with pretty logs and once with JSON: every
 * kind of traffic (tokens in both client authentication styles, refusals, forged tokens, deliveries,
 * the deliver CLI), then every line all three services and the CLI printed is searched for the
 * client secrets and for complete access tokens.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tamperPayload } from '@repo/testkit';
import { appScript, startDemoStack, type DemoStack } from 'demo-stack';

/** Three base64url parts, each long enough to be a real header, payload and signature. */
const COMPLETE_JWT = /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{20,}/;

const secretOf = () => `s3cr3t-${randomBytes(16).toString('hex')}`;

function runCli(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [appScript('giftdeliveries', 'dist/cli/deliver.js'), ...args],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ENV_FILE: 'none', ...env },
        timeout: 60_000,
      },
      (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`),
    );
  });
}

async function exercise(stack: DemoStack, secrets: Record<string, string>, seen: Set<string>) {
  const tokenEndpoint = `${stack.issuer}oauth/token`;
  const api = stack.get('worldmappers-api').url;
  const gifts = stack.get('giftdeliveries').url;
  const remember = async (res: Response) => {
    const body = (await res.json()) as { access_token?: string };
    if (body.access_token) seen.add(body.access_token);
    return body.access_token;
  };
  const asJson = (id: string, secret: string, audience: string) =>
    fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: id,
        client_secret: secret,
        audience,
      }),
    });
  const asBasic = (id: string, secret: string, audience: string) =>
    fetch(tokenEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        resource: audience,
      }).toString(),
    });

  const geo = await remember(
    await asJson('giftdeliveries', secrets.giftdeliveries!, 'urn:worldmappers'),
  );
  const locator = await remember(
    await asBasic('store-locator', secrets['store-locator']!, 'urn:worldmappers'),
  );
  const front = await remember(
    await asBasic('storefront', secrets.storefront!, 'urn:giftdeliveries'),
  );
  expect(geo && locator && front).toBeTruthy();
  // Refusals: wrong secret (close to the real one), banned client, unknown client.
  expect((await asJson('storefront', `${secrets.storefront}x`, 'urn:giftdeliveries')).status).toBe(
    401,
  );
  expect((await asBasic('storefront', `${secrets.storefront}y`, 'urn:giftdeliveries')).status).toBe(
    401,
  );
  expect(
    (await asJson('banned-partner', secrets['banned-partner']!, 'urn:worldmappers')).status,
  ).toBe(400);
  expect((await asJson('nobody', secrets.giftdeliveries!, 'urn:worldmappers')).status).toBe(401);

  const call = (path: string, token?: string) =>
    fetch(`${api}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect((await call('/api/location/geocode?address=Kyoto', geo)).status).toBe(200);
  expect((await call('/api/directions?origin=Kyoto&destination=Osaka', locator)).status).toBe(403);
  expect((await call('/api/location/geocode?address=Kyoto', front)).status).toBe(401);
  expect((await call('/api/location/geocode?address=Kyoto')).status).toBe(401);
  expect((await call(`/api/location/geocode?address=Kyoto&access_token=${geo}`)).status).toBe(400);
  const forged = tamperPayload(geo!, (p) => ({ ...p, scope: 'everything' }));
  expect((await call('/api/location/geocode?address=Kyoto', forged)).status).toBe(401);

  const ids: string[] = [];
  for (const destination of ['Helsinki, FI', 'Kyoto, JP', 'Atlantis']) {
    const res = await fetch(`${gifts}/deliveries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${front}`, 'content-type': 'application/json' },
      body: JSON.stringify({ recipient: 'Yuki', destination }),
    });
    expect(res.status).toBe(202);
    ids.push(((await res.json()) as { id: string }).id);
  }
  expect((await fetch(`${gifts}/deliveries`, { method: 'POST' })).status).toBe(401);
  expect(
    (
      await fetch(`${gifts}/deliveries?status=planned`, {
        headers: { authorization: `Bearer ${geo}` },
      })
    ).status,
  ).toBe(401);

  const cli = await runCli(['Oulu, FI', '--recipient', 'Aino', '--url', gifts, '--timeout', '30'], {
    ISSUER_BASE_URL: stack.issuer,
    STOREFRONT_CLIENT_SECRET: secrets.storefront!,
  });
  expect(cli).toMatch(/planned/i);

  // Let the worker plan (and fail "Atlantis") so that its logs are in too.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const views = await Promise.all(
      ids.map(async (id) => {
        const res = await fetch(`${gifts}/deliveries/${id}`, {
          headers: { authorization: `Bearer ${front}` },
        });
        return ((await res.json()) as { status: string }).status;
      }),
    );
    if (!views.includes('pending') || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return cli;
}

describe('no secret and no complete access token in any log line', () => {
  it.each(['pretty', 'json'])(
    'holds for the whole demo with LOG_FORMAT=%s',
    async (format) => {
      const secrets: Record<string, string> = {
        giftdeliveries: secretOf(),
        'store-locator': secretOf(),
        storefront: secretOf(),
        'banned-partner': secretOf(),
      };
      const stack = await startDemoStack({
        commonEnv: { NODE_ENV: 'development', LOG_FORMAT: format, LOG_LEVEL: 'debug' },
        env: {
          'auth-server': {
            GIFTDELIVERIES_CLIENT_SECRET: secrets.giftdeliveries,
            STORE_LOCATOR_CLIENT_SECRET: secrets['store-locator'],
            STOREFRONT_CLIENT_SECRET: secrets.storefront,
            BANNED_PARTNER_CLIENT_SECRET: secrets['banned-partner'],
          },
          giftdeliveries: { CLIENT_SECRET: secrets.giftdeliveries, SEED_SAMPLE_DELIVERIES: 'true' },
        },
      });
      const seen = new Set<string>();
      let cli = '';
      try {
        cli = await exercise(stack, secrets, seen);
      } finally {
        await stack.stop();
      }
      const lines = [
        ...stack.allLines().map(({ service, line }) => `${service}: ${line}`),
        ...cli.split('\n'),
      ];
      expect(lines.length).toBeGreaterThan(100);
      // The detector recognises the tokens this run was really given.
      expect(seen.size).toBe(3);
      for (const token of seen) expect(token).toMatch(COMPLETE_JWT);
      if (format === 'pretty') {
        expect(lines.filter((line) => line.includes(': {"')).length).toBeLessThan(lines.length / 2);
      }
      const forbidden = [
        ...Object.values(secrets),
        ...Object.values(secrets).flatMap((s) => [`${s}x`, `${s}y`]),
        ...[...seen],
        // The secrets as they travel in HTTP Basic.
        ...Object.entries(secrets).map(([id, s]) => Buffer.from(`${id}:${s}`).toString('base64')),
      ];
      const leaks = lines.filter(
        (line) => COMPLETE_JWT.test(line) || forbidden.some((value) => line.includes(value)),
      );
      expect(leaks).toEqual([]);
      // And the secrets are not hiding in the middle of a longer value either.
      for (const secret of Object.values(secrets)) {
        expect(lines.some((line) => line.includes(secret.slice(7, 23)))).toBe(false);
      }
    },
    120_000,
  );
});
