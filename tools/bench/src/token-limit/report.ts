import type { TokenLimitResult } from '../phases/token-limit.js';
import { fmt, table } from '../report.js';

/** The token-limit section of docs/benchmarks.md. */
export function tokenLimitSection(t: TokenLimitResult): string[] {
  const one = t.at[1];
  const sixteen = t.at[16];
  const row = (label: string, f: TokenLimitResult['at'][1]) => [
    label,
    fmt(f.tokensPerSecond.median),
    `${fmt(f.tokensPerSecond.min)}–${fmt(f.tokensPerSecond.max)}`,
    `${fmt(f.p50Ms.median, 2)} (${fmt(f.p50Ms.min, 2)}–${fmt(f.p50Ms.max, 2)})`,
    `${fmt(f.p99Ms.median, 2)} (${fmt(f.p99Ms.min, 2)}–${fmt(f.p99Ms.max, 2)})`,
    fmt(f.serverCpuMicrosPerToken.median),
    `${fmt(f.ratio.median, 2)}× (${fmt(f.ratio.q1, 2)}–${fmt(f.ratio.q3, 2)})`,
    fmt(f.failures),
  ];
  const met = (ok: boolean) => (ok ? 'met' : '**not met**');
  return [
    `The real auth-server (\`node dist/index.js\`, JSON logs at info, the in-memory counters) issuing client_credentials tokens to \`giftdeliveries\` (\`client_secret_post\`, audience \`urn:worldmappers\`, RS256), beside the raw signing rate of its own key: a child process reads the auth-server's \`signing-keys.json\` and calls \`crypto.sign('sha256', …)\` on a token-sized input ${fmt(t.signBatch)} times in a row. ${t.processes} fresh auth-server processes (each counts the client's hourly quota of 1000 tokens in its memory, so each serves ${fmt(t.warmupTokens)} warm-up tokens at 16 connections and then ${one.rounds / t.processes} round${one.rounds / t.processes === 1 ? '' : 's'} at each connection count, in alternating order); every round sits between two signing batches and its ratio is taken against their mean. Closed loop over keep-alive connections (node:http), latency timed client side per request.`,
    '',
    table(
      [
        'connections',
        'tokens/s (median)',
        'min–max',
        'p50 ms (min–max)',
        'p99 ms (min–max)',
        'server CPU µs/token',
        '× raw signing (q1–q3)',
        'failed',
      ],
      [row('1', one), row('16', sixteen)],
    ),
    '',
    `- Raw signing on this machine: **${fmt(t.signsPerSecond.median)} signatures/s** (batches ${fmt(t.signsPerSecond.min)}–${fmt(t.signsPerSecond.max)}), ${fmt(t.signCpuMicros.median)} µs of CPU each.`,
    `- At 16 connections the endpoint issues **${fmt(sixteen.ratio.median, 2)}×** the raw signing rate (goal ≥ ${fmt(t.goals.ratioAt16, 2)}×: ${met(sixteen.ratio.median >= t.goals.ratioAt16)}); the signature is ${fmt(sixteen.cpuRatio.median * 100)} % of the auth-server's CPU per token (${fmt(t.signCpuMicros.median)} of ${fmt(sixteen.serverCpuMicrosPerToken.median)} µs).`,
    `- At one connection the p50 is **${fmt(one.p50Ms.median, 2)} ms** (goal ≤ ${fmt(t.goals.p50MsAt1, 0)} ms: ${met(one.p50Ms.median <= t.goals.p50MsAt1)}), p99 ${fmt(one.p99Ms.median, 2)} ms, over ${fmt(one.latency.samples)} requests.`,
    '',
  ];
}
