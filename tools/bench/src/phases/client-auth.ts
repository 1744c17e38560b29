import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  CLIENT_ASSERTION_TYPE,
  generateClientKey,
  loadClientKey,
  signClientAssertion,
} from '@repo/token-client';
import { DEMO_CLIENTS, DEMO_KEY_CLIENT } from '@repo/contracts';
import type { ServiceProcess } from '@repo/testkit';
import { spread, type Spread } from '../stats.js';

/** One way of authenticating at the token endpoint, as measured. */
export interface ClientAuthFigures {
  /** Latency of one token request, client side, ms (the assertion is signed beforehand). */
  latencyMs: Spread;
  /** The auth-server's CPU time per token request, µs (from /proc, per round). */
  cpuMicrosPerRequest: Spread;
}

export interface ClientAuthResult {
  rounds: number;
  requestsPerRound: number;
  secret: ClientAuthFigures;
  assertion: ClientAuthFigures;
  /** assertion ÷ secret, per round, then the median of those ratios. */
  ratio: { latency: Spread; cpu: Spread };
}

/** The process's user + system CPU time in µs (Linux: /proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * The token endpoint's cost of checking a client assertion (private_key_jwt: ES256 verified,
 * `jti` recorded) beside a secret (client_secret_post), side by side: alternating rounds of
 * sequential token requests for the same API, each the same grant, RS256-signed token and quota.
 * Assertions are signed before a round starts, so only the server's work (and HTTP) is timed.
 * Rounds × requests stay under the clients' hourly token quota (1000).
 */
export async function measureClientAuth(options: {
  issuer: string;
  auth: ServiceProcess;
  /** The auth-server's JWKS file for giftdeliveries-keys (its `DATA_DIR/clients/…`). */
  jwksFile: string;
  rounds?: number;
  requestsPerRound?: number;
}): Promise<ClientAuthResult> {
  const { issuer, auth, rounds = 8, requestsPerRound = 40 } = options;
  const pid = auth.child.pid!;
  const generated = await generateClientKey();
  mkdirSync(dirname(options.jwksFile), { recursive: true });
  writeFileSync(options.jwksFile, JSON.stringify({ keys: [generated.publicJwk] }));
  const keyFile = join(dirname(options.jwksFile), 'bench-client.private.pem');
  writeFileSync(keyFile, generated.privatePem, { mode: 0o600 });
  const clientKey = await loadClientKey(keyFile);
  const endpoint = `${issuer}token`;
  const post = async (params: Record<string, string>) => {
    const t0 = performance.now();
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        audience: 'urn:worldmappers',
        ...params,
      }).toString(),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`token request refused: ${res.status}`);
    return performance.now() - t0;
  };
  const secret = { latency: [] as number[], cpu: [] as number[] };
  const assertion = { latency: [] as number[], cpu: [] as number[] };
  const ratios = { latency: [] as number[], cpu: [] as number[] };
  const secretParams = () => ({
    client_id: DEMO_CLIENTS.giftdeliveries.id,
    client_secret:
      process.env.GIFTDELIVERIES_CLIENT_SECRET || DEMO_CLIENTS.giftdeliveries.devSecret,
  });
  // One warm-up request each (the provider is rebuilt when the client JWKS appears).
  await post(secretParams());
  await post({
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: await signClientAssertion(clientKey, {
      clientId: DEMO_KEY_CLIENT.id,
      audience: endpoint,
    }),
  });
  for (let round = 0; round < rounds; round += 1) {
    const medians: Record<'secret' | 'assertion', { latency: number; cpu: number }> = {
      secret: { latency: 0, cpu: 0 },
      assertion: { latency: 0, cpu: 0 },
    };
    // Alternate which goes first, so neither always inherits the other's warmth.
    const order =
      round % 2 === 0 ? (['secret', 'assertion'] as const) : (['assertion', 'secret'] as const);
    for (const method of order) {
      const paramsList =
        method === 'secret'
          ? Array.from({ length: requestsPerRound }, secretParams)
          : await Promise.all(
              Array.from({ length: requestsPerRound }, async () => ({
                client_assertion_type: CLIENT_ASSERTION_TYPE,
                client_assertion: await signClientAssertion(clientKey, {
                  clientId: DEMO_KEY_CLIENT.id,
                  audience: endpoint,
                }),
              })),
            );
      await tick();
      const cpu0 = cpuMicros(pid);
      const latencies: number[] = [];
      for (const params of paramsList) latencies.push(await post(params));
      const cpu = (cpuMicros(pid) - cpu0) / requestsPerRound;
      const target = method === 'secret' ? secret : assertion;
      target.latency.push(...latencies);
      target.cpu.push(cpu);
      medians[method] = { latency: spread(latencies).median, cpu };
    }
    ratios.latency.push(medians.assertion.latency / medians.secret.latency);
    if (medians.secret.cpu > 0) ratios.cpu.push(medians.assertion.cpu / medians.secret.cpu);
  }
  return {
    rounds,
    requestsPerRound,
    secret: { latencyMs: spread(secret.latency), cpuMicrosPerRequest: spread(secret.cpu) },
    assertion: { latencyMs: spread(assertion.latency), cpuMicrosPerRequest: spread(assertion.cpu) },
    ratio: { latency: spread(ratios.latency), cpu: spread(ratios.cpu) },
  };
}
