import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './free-port.js';

/** A Redis server of the test's own, which it may stop and start again (a real restart). */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`: the same across restarts. */
  url: string;
  port: number;
  /** Stops the server (SIGTERM) and waits for it to exit. Its data, in memory only, is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port and waits until it answers PING. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Debian's `redis-server`, unless `REDIS_SERVER` names another binary. */
const BINARY = process.env.REDIS_SERVER ?? 'redis-server';

/** One PING over a raw connection: true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/**
 * Starts `redis-server` on a free port of 127.0.0.1, without persistence, so a test can restart
 * Redis under running services without touching the machine's shared server (127.0.0.1:6379).
 */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    output = '';
    const started = spawn(
      BINARY,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    started.stdout?.on('data', (data: Buffer) => (output += data.toString()));
    started.stderr?.on('data', (data: Buffer) => (output += data.toString()));
    const spawnError = new Promise<never>((_, reject) =>
      started.once('error', (error) =>
        reject(new Error(`cannot start ${BINARY}: ${error.message}`)),
      ),
    );
    spawnError.catch(() => undefined);
    for (const until = Date.now() + 10_000; Date.now() < until;) {
      if (started.exitCode !== null) break;
      if (await Promise.race([ping(port), spawnError])) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    started.kill('SIGKILL');
    throw new Error(`redis-server did not answer on port ${port}:\n${output.slice(-2_000)}`);
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };

  await start();
  return { url: `redis://127.0.0.1:${port}`, port, stop, start, close: stop };
}
