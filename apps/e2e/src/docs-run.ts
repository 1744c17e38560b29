import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startService, type ServiceProcess } from '@repo/testkit';
import type { RunnableBlock } from './docs-blocks.js';

/**
 * The stack the README's walk-through talks to: the three built apps as real processes, on free
 * ports, each with its own temporary data directory, configured as `npm start` configures them
 * except for the addresses. The walk-through reads those addresses from `AUTH`, `API` and `GIFT`
 * (defaults localhost:4000/7001/7002), so {@link DocsStack.variables} is all a run has to export.
 */
export interface DocsStack {
  auth: ServiceProcess;
  api: ServiceProcess;
  gift: ServiceProcess;
  /** `AUTH`, `API`, `GIFT`: the base URLs the README's blocks use. */
  variables: Record<'AUTH' | 'API' | 'GIFT', string>;
  stop(): Promise<void>;
}

/** Starts auth-server, worldmappers-api and giftdeliveries from their `dist/` builds. */
export async function startDocsStack(): Promise<DocsStack> {
  const dir = mkdtempSync(join(tmpdir(), 'docs-stack-'));
  const started: ServiceProcess[] = [];
  const stop = async () => {
    for (const service of started.reverse()) await service.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const authPort = await freePort();
    const issuer = `http://127.0.0.1:${authPort}/`;
    const auth = await startService('auth-server', {
      port: authPort,
      env: { ISSUER: issuer, DATA_DIR: join(dir, 'auth-server') },
      timeoutMs: 60_000,
    });
    started.push(auth);
    // The gazetteer and road network take a few seconds to load on a busy machine.
    const api = await startService('worldmappers-api', {
      env: { ISSUER_BASE_URL: issuer },
      timeoutMs: 120_000,
    });
    started.push(api);
    const gift = await startService('giftdeliveries', {
      env: {
        ISSUER_BASE_URL: issuer,
        WORLDMAPPERS_API_URL: api.url,
        DATA_DIR: join(dir, 'giftdeliveries'),
        SEED_SAMPLE_DELIVERIES: 'false',
        WORKER_POLL_MS: '200',
      },
      timeoutMs: 60_000,
    });
    started.push(gift);
    return {
      auth,
      api,
      gift,
      variables: { AUTH: auth.url, API: api.url, GIFT: gift.url },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What one block did in the session. */
export interface BlockResult {
  block: RunnableBlock;
  /** `false` when an earlier block failed and the session stopped before this one. */
  ran: boolean;
  /** `true` when the block ran to its end (each command exited 0, under `set -euo pipefail`). */
  completed: boolean;
  /** Everything the block printed, stdout and stderr interleaved as they arrived. */
  output: string;
}

export interface SessionResult {
  exitCode: number | null;
  blocks: BlockResult[];
  /** The whole transcript, for failure messages. */
  transcript: string;
}

const START = '@@docs-block-start ';
const END = '@@docs-block-end ';

/**
 * Runs the blocks in order in ONE bash session (`set -euo pipefail`), so that what a block sets
 * (`TOKEN=…`) is there for the next, as in a reader's terminal. `variables` are exported first.
 * The script is a file and stdin is empty, so no command can swallow the next block.
 */
export async function runBlocks(
  blocks: RunnableBlock[],
  variables: Record<string, string>,
  options: { timeoutMs?: number; cwd?: string } = {},
): Promise<SessionResult> {
  const dir = mkdtempSync(join(tmpdir(), 'docs-session-'));
  const script = join(dir, 'session.sh');
  // One ordered transcript: stderr joins stdout in the shell itself, before anything is printed.
  const lines = ['exec 2>&1', 'set -euo pipefail'];
  for (const [name, value] of Object.entries(variables)) {
    lines.push(`export ${name}='${value.replaceAll("'", "'\\''")}'`);
  }
  blocks.forEach((block, index) => {
    lines.push(
      `printf '\\n${START}%s\\n' ${index}`,
      block.code,
      `printf '\\n${END}%s\\n' ${index}`,
    );
  });
  writeFileSync(script, `${lines.join('\n')}\n`);

  const child = spawn('bash', [script], {
    cwd: options.cwd ?? dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', ...variables },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let transcript = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (transcript += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (transcript += chunk));
  const timeoutMs = options.timeoutMs ?? 120_000;
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the README session did not finish within ${timeoutMs} ms:\n${transcript}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  rmSync(dir, { recursive: true, force: true });

  const results = blocks.map((block, index): BlockResult => {
    const start = transcript.indexOf(`${START}${index}\n`);
    if (start < 0) return { block, ran: false, completed: false, output: '' };
    const from = start + `${START}${index}\n`.length;
    const end = transcript.indexOf(`${END}${index}\n`, from);
    const output = transcript.slice(from, end < 0 ? undefined : end).replace(/\n$/, '');
    return { block, ran: true, completed: end >= 0, output };
  });
  return { exitCode, blocks: results, transcript };
}
