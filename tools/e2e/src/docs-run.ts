import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoStack } from 'demo-stack';
import type { RunnableBlock } from './docs-blocks.js';

/**
 * The variables the README's walk-through reads its base URLs from (defaults
 * localhost:4000/7001/7002 in the README), pointing at a running stack instead.
 */
export function docsVariables(stack: DemoStack): Record<'AUTH' | 'API' | 'GIFT', string> {
  return {
    AUTH: stack.get('auth-server').url,
    API: stack.get('worldmappers-api').url,
    GIFT: stack.get('giftdeliveries').url,
  };
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
