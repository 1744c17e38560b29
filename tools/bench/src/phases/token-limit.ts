import { giftdeliveriesTokenForm } from '../demo-client.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort, type ServiceProcess } from '@repo/testkit';
import { startApp } from 'demo-stack';
import { latencies, spread, type Latencies, type Spread } from '../stats.js';
import { closedLoop, type LoadResult } from '../token-limit/http-load.js';

/** The connection counts the token endpoint is measured at. */
export const TOKEN_CONNECTIONS = [1, 16] as const;
export type TokenConnections = (typeof TOKEN_CONNECTIONS)[number];

/** One endpoint round: tokens asked for over some connections, and the signing rate beside it. */
export interface TokenRound {
  connections: TokenConnections;
  tokens: number;
  ms: number;
  /** Client-side latencies of the round's requests, ms. */
  latenciesMs: number[];
  /** Answers other than 200. */
  failures: number;
  /** The auth-server's CPU time over the round, µs (from /proc: 10 ms ticks). */
  serverCpuMicros: number;
  /** The raw signing rate measured just before and just after the round, signatures/s. */
  signsPerSecond: number;
  /** The signing child's CPU per signature beside the round, µs. */
  signCpuMicros: number;
}

export interface TokenLimitFigures {
  rounds: number;
  tokensPerRound: number;
  tokensPerSecond: Spread;
  /** Latency per round (p50, p99 of each round's requests), ms. */
  p50Ms: Spread;
  p99Ms: Spread;
  /** Every request of these rounds together. */
  latency: Latencies;
  /** The auth-server's CPU per token, µs, per round. */
  serverCpuMicrosPerToken: Spread;
  /** Tokens/s ÷ the raw signing rate beside each round. */
  ratio: Spread;
  /** Signing CPU per signature ÷ the auth-server's CPU per token, per round: the share of a token's CPU that is the signature. */
  cpuRatio: Spread;
  failures: number;
}

export interface TokenLimitResult {
  processes: number;
  warmupTokens: number;
  /** The raw signing rate over every batch, signatures/s, and CPU µs per signature. */
  signsPerSecond: Spread;
  signCpuMicros: Spread;
  signBatch: number;
  at: Record<`${TokenConnections}`, TokenLimitFigures>;
  goals: { ratioAt16: number; p50MsAt1: number };
}

/** The goals of issue 23: tokens/s at 16 connections ≥ 0.75× raw signing, p50 ≤ 1 ms at one. */
export const TOKEN_LIMIT_GOALS = { ratioAt16: 0.75, p50MsAt1: 1 };

/** The figures of the rounds at one connection count, each ratio taken within its round. */
export function tokenFigures(rounds: readonly TokenRound[]): TokenLimitFigures {
  const rate = (r: TokenRound) => r.tokens / (r.ms / 1000);
  const perToken = (r: TokenRound) => r.serverCpuMicros / r.tokens;
  const each = rounds.map((r) => latencies(r.latenciesMs));
  return {
    rounds: rounds.length,
    tokensPerRound: rounds[0]?.tokens ?? 0,
    tokensPerSecond: spread(rounds.map(rate)),
    p50Ms: spread(each.map((l) => l.p50)),
    p99Ms: spread(each.map((l) => l.p99)),
    latency: latencies(rounds.flatMap((r) => r.latenciesMs)),
    serverCpuMicrosPerToken: spread(rounds.map(perToken)),
    ratio: spread(rounds.map((r) => rate(r) / r.signsPerSecond)),
    cpuRatio: spread(rounds.map((r) => r.signCpuMicros / Math.max(1, perToken(r)))),
    failures: rounds.reduce((n, r) => n + r.failures, 0),
  };
}

/**
 * Splits one auth-server process's token quota (1000 per client per hour, counted in its memory)
 * into a warm-up and `pairs` pairs of rounds (one at each connection count), leaving a margin.
 */
export function planRounds(quota: number, pairs: number, warmup: number, margin = 50) {
  const perPair = Math.floor((quota - warmup - margin) / pairs);
  if (perPair < 20) throw new Error(`a quota of ${quota} leaves too few tokens per round`);
  // Fewer at one connection: sequential requests take longer per token.
  const one = Math.floor(perPair * 0.4);
  return {
    warmup,
    pairs,
    tokens: { 1: one, 16: perPair - one } as Record<TokenConnections, number>,
  };
}

/** The process's user + system CPU time in µs (Linux: /proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** The raw signing child: `batch(n)` signs n inputs with the key file's active key. */
async function startSigner(keyFile: string) {
  const entry = fileURLToPath(new URL('../token-limit/sign-worker.ts', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, KEY_FILE: keyFile },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: Interface = createInterface({ input: child.stdout! });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the signing child exited (${code})`)));
      lines.once('line', resolve);
    });
  if ((await next()) !== 'ready') throw new Error('the signing child did not start');
  return {
    async batch(signs: number) {
      const answer = next();
      child.stdin!.write(`${signs}\n`);
      return JSON.parse(await answer) as { signs: number; ms: number; cpuMicros: number };
    },
    stop: () => {
      child.stdin!.end();
      child.kill();
    },
  };
}

export interface TokenLimitOptions {
  /** Fresh auth-server processes (each has a quota of 1000 tokens for the client). */
  processes: number;
  /** Signatures per raw signing batch. */
  signBatch?: number;
  progress: (line: string) => void;
  /** Where the auth-server processes write `--cpu-prof` profiles, when profiling. */
  profileDir?: string;
}

/**
 * The token endpoint of the real auth-server (built, `node dist/index.js`, JSON logs at info)
 * against its physical limit, the RS256 signing rate of its own key on this machine. Fresh
 * auth-server processes share one DATA_DIR (the first creates the key, the others read it); in
 * each, after a warm-up, rounds of client_credentials requests for `giftdeliveries` at 1 and 16
 * connections alternate (in alternating order) with batches of `crypto.sign` in a child process
 * reading the same key file: every endpoint round sits between two signing batches, and its
 * ratio is taken against their mean. Processes are restarted because each counts the client's
 * hourly token quota (1000) in its memory.
 */
export async function measureTokenLimit(options: TokenLimitOptions): Promise<TokenLimitResult> {
  const { processes, progress, signBatch = 300 } = options;
  const plan = planRounds(1000, 2, 150);
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-token-limit-'));
  const rounds: TokenRound[] = [];
  const signs: { rate: number; cpu: number }[] = [];
  let signer: Awaited<ReturnType<typeof startSigner>> | undefined;
  const body = giftdeliveriesTokenForm();
  try {
    for (let p = 0; p < processes; p++) {
      const port = await freePort();
      const issuer = `http://127.0.0.1:${port}/`;
      const auth: ServiceProcess = await startApp('auth-server', {
        port,
        env: {
          LOG_LEVEL: 'info',
          ISSUER: issuer,
          DATA_DIR: dataDir,
          ...(options.profileDir && {
            NODE_OPTIONS: `--import ${new URL('../cpu-profile-preload.mjs', import.meta.url).href}`,
            CPU_PROFILE_DIR: options.profileDir,
          }),
        },
        timeoutMs: 60_000,
      });
      try {
        signer ??= await startSigner(join(dataDir, 'signing-keys.json'));
        const load = (connections: number, count: number): Promise<LoadResult> =>
          closedLoop({
            url: `${issuer}oauth/token`,
            body,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            connections,
            count,
          });
        const warm = await load(16, plan.warmup);
        const refused = warm.answers.filter((a) => a.status !== 200).length;
        if (refused > 0) throw new Error(`${refused} warm-up token requests were refused`);
        await signer.batch(signBatch);
        const batch = async () => {
          const b = await signer!.batch(signBatch);
          const measured = { rate: b.signs / (b.ms / 1000), cpu: b.cpuMicros / b.signs };
          signs.push(measured);
          return measured;
        };
        let before = await batch();
        for (let pair = 0; pair < plan.pairs; pair++) {
          const order: TokenConnections[] = (p + pair) % 2 === 0 ? [16, 1] : [1, 16];
          for (const connections of order) {
            const cpu0 = cpuMicros(auth.child.pid!);
            const run = await load(connections, plan.tokens[connections]);
            const serverCpuMicros = cpuMicros(auth.child.pid!) - cpu0;
            const after = await batch();
            const round: TokenRound = {
              connections,
              tokens: run.answers.length,
              ms: run.ms,
              latenciesMs: run.answers.map((a) => a.ms),
              failures: run.answers.filter((a) => a.status !== 200).length,
              serverCpuMicros,
              signsPerSecond: (before.rate + after.rate) / 2,
              signCpuMicros: (before.cpu + after.cpu) / 2,
            };
            rounds.push(round);
            before = after;
            const l = latencies(round.latenciesMs);
            progress(
              `  process ${p + 1}/${processes} ${String(connections).padStart(2)} conn: ${(round.tokens / (round.ms / 1000)).toFixed(0).padStart(5)} tokens/s  p50 ${l.p50.toFixed(2)} ms  p99 ${l.p99.toFixed(2)} ms  ${(serverCpuMicros / round.tokens).toFixed(0)} µs CPU/token  signing ${round.signsPerSecond.toFixed(0)}/s`,
            );
          }
        }
      } finally {
        await auth.stop();
      }
    }
  } finally {
    signer?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const at = (connections: TokenConnections) =>
    tokenFigures(rounds.filter((r) => r.connections === connections));
  return {
    processes,
    warmupTokens: plan.warmup,
    signsPerSecond: spread(signs.map((s) => s.rate)),
    signCpuMicros: spread(signs.map((s) => s.cpu)),
    signBatch,
    at: { 1: at(1), 16: at(16) },
    goals: TOKEN_LIMIT_GOALS,
  };
}
