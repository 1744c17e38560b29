import { spawn } from 'node:child_process';
import { freePort } from '@repo/testkit';
import { cpuMicros, statusMiB } from '../proc.js';

/** When a started server first answered a path with 200: wall time and its CPU time so far. */
export interface Moment {
  ms: number;
  cpuMs: number;
}

/** One start-up of a server on its own, from spawn to its answers and its memory then. */
export interface StartUp {
  health: Moment;
  ready: Moment;
  /** VmRSS at the first `/readyz` 200, 3 s later, and the peak (VmHWM), MiB. */
  rssReady: number;
  rssLater: number;
  peak: number;
}

/**
 * Spawns `entry` (a built service, `node dist/index.js`) alone with Node's own binary, trusting
 * `issuerUrl`, and times its first `GET /healthz` and `GET /readyz` 200 from spawn, polled every
 * 10 ms, with its CPU time then; stops it when its memory has settled.
 */
export async function startAlone(entry: string, issuerUrl: string): Promise<StartUp> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      ENV_FILE: 'none',
      PORT: String(port),
      ISSUER_BASE_URL: issuerUrl,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
    },
    stdio: 'ignore',
  });
  const pid = child.pid!;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const until = async (path: string): Promise<Moment> => {
    for (;;) {
      if (performance.now() - t0 > 60_000) throw new Error(`no 200 from ${path} within 60 s`);
      if (child.exitCode !== null) throw new Error(`${entry} exited with code ${child.exitCode}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}${path}`)).status === 200) {
          return { ms: performance.now() - t0, cpuMs: cpuMicros(pid) / 1000 };
        }
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  try {
    const health = await until('/healthz');
    const ready = await until('/readyz');
    const rssReady = statusMiB(pid, 'VmRSS');
    await new Promise((resolve) => setTimeout(resolve, 3000)); // anything left in the background settles
    return {
      health,
      ready,
      rssReady,
      rssLater: statusMiB(pid, 'VmRSS'),
      peak: statusMiB(pid, 'VmHWM'),
    };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
