import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { freePort } from './free-port.js';

export interface StartServiceOptions {
  /** Variables for the process, on top of a clean base (no `.env`, JSON logs, `NODE_ENV=test`). */
  env?: Record<string, string | undefined>;
  /** Port to listen on; a free one by default. */
  port?: number;
  /** Path polled until it answers 200. */
  readyPath?: string;
  timeoutMs?: number;
  /** The script to run with this Node.js, e.g. a service's built `dist/index.js`. */
  entry: string;
  /** Working directory; the entry's folder by default. */
  cwd?: string;
}

export interface ServiceProcess {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  /** Every line the process printed so far, stdout and stderr. */
  lines(): string[];
  /** Lines parsed as JSON (the JSON log format); non-JSON lines are skipped. */
  records(): Record<string, unknown>[];
  /** Resolves with the first JSON log record that `match` accepts. */
  waitFor(
    match: (record: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Sends a signal (SIGTERM by default) and resolves with the exit code once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `url` until it answers 200 or `timeoutMs` passes. */
export async function waitForHttp(
  url: string,
  timeoutMs = 15_000,
  isAlive = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`${url}: the process exited before it was ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}

/**
 * Starts a service as a real process from its build output (`options.entry`), on a free port, and
 * waits until it answers its health check. Its output is kept for assertions (and never printed).
 * `name` only labels errors and log lines.
 */
export async function startService(
  name: string,
  options: StartServiceOptions,
  attempt = 1,
): Promise<ServiceProcess> {
  const port = options.port ?? (await freePort());
  const { entry } = options;
  const cwd = options.cwd ?? dirname(entry);
  if (!existsSync(entry)) throw new Error(`${entry} does not exist: build ${name} first`);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    ENV_FILE: 'none',
    NODE_ENV: 'test',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'debug',
    PORT: String(port),
    ...options.env,
  })) {
    if (value !== undefined) env[key] = value;
  }
  const child = spawn(process.execPath, [entry], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const listeners = new Set<() => void>();
  const collect = (stream: NodeJS.ReadableStream) => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      output.push(...parts.filter(Boolean));
      listeners.forEach((listener) => listener());
    });
  };
  collect(child.stdout!);
  collect(child.stderr!);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );

  const records = () =>
    output.flatMap((line) => {
      try {
        const parsed: unknown = JSON.parse(line);
        return parsed && typeof parsed === 'object' ? [parsed as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });

  const service: ServiceProcess = {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    lines: () => [...output],
    records,
    waitFor(match, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = records().find(match);
          if (found) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`${name}: no matching log line within ${timeoutMs} ms`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (exitCode !== undefined) return exitCode;
      child.kill(signal);
      return exited;
    },
  };

  const timeoutMs = options.timeoutMs ?? 20_000;
  try {
    // Its own "listening on" line first (an info line: not awaited when the level hides it): a
    // free port taken by another test's process meanwhile would otherwise answer the health
    // check below in its place.
    const listening = new Promise<void>((resolve, reject) => {
      const check = () => {
        if (QUIET_LEVELS.has(env.LOG_LEVEL!) || output.some((line) => LISTENING.test(line))) {
          listeners.delete(check);
          resolve();
        }
      };
      listeners.add(check);
      check();
      void exited.then((code) => reject(new Error(`${name} exited with ${code} before listening`)));
      setTimeout(
        () => reject(new Error(`${name} did not listen within ${timeoutMs} ms`)),
        timeoutMs,
      ).unref();
    });
    await listening;
    await waitForHttp(
      `${service.url}${options.readyPath ?? '/healthz'}`,
      timeoutMs,
      () => exitCode === undefined,
    );
  } catch (error) {
    await service.stop('SIGKILL');
    // The port was taken between freePort() and the bind: try again on another (twice at most).
    const taken = output.some((line) => line.includes('EADDRINUSE'));
    if (options.port === undefined && taken && attempt < 3) {
      return startService(name, options, attempt + 1);
    }
    throw new Error(`${(error as Error).message}\n--- ${name} output ---\n${output.join('\n')}`);
  }
  return service;
}

/** The line runServer of @repo/http writes once the port is bound, in either log format. */
const LISTENING = /listening on http/;
/** Log levels that leave that info line out. */
const QUIET_LEVELS = new Set(['warn', 'error']);
