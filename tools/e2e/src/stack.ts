import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startService, type ServiceProcess } from '@repo/testkit';
import {
  dependenciesOf,
  portsOf,
  serviceEnvironment,
  startOrder,
  volumesOf,
  type ComposeService,
} from './compose.js';

/** How to run one service's image on this machine (from {@link rehearseImage}). */
export interface ServiceImage {
  /** The image's working directory, on this machine. */
  workdir: string;
  /** `CMD`, exec form: `node <script>`. */
  cmd: string[];
  /** The image's own `ENV`; compose's `environment` overrides it. */
  env: Record<string, string>;
}

export interface StackService {
  name: string;
  /** The container port, as in the compose file (4000, 7001, 7002). */
  containerPort: number;
  /** Where it listens here instead. */
  port: number;
  url: string;
  /** The environment the process got: compose's, with only hosts, ports and volumes remapped. */
  env: Record<string, string>;
  process: ServiceProcess;
  /** Runs the compose healthcheck command as written (its port remapped); resolves with the exit code. */
  healthcheck(): Promise<number | null>;
}

export interface Stack {
  services: Record<string, StackService>;
  stop(): Promise<void>;
}

export interface StartStackOptions {
  services: Record<string, ComposeService>;
  images: Record<string, ServiceImage>;
  /** Interpolation variables (the shell plus `.env`); none by default, as on a fresh machine. */
  interpolation?: Record<string, string | undefined>;
  /** Where named volumes live on this machine. */
  volumesDir: string;
  log?: (line: string) => void;
  timeoutMs?: number;
}

function runHealthcheck(
  test: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<number | null> {
  const [kind, ...rest] = test;
  let argv: string[];
  if (kind === 'CMD') argv = rest;
  else if (kind === 'CMD-SHELL') argv = ['sh', '-c', rest.join(' ')];
  else throw new Error(`healthcheck test ${JSON.stringify(test)} is neither CMD nor CMD-SHELL`);
  const [command, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(command === 'node' ? process.execPath : command!, args, {
      cwd,
      env,
      stdio: 'ignore',
      timeout: 10_000,
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the compose services from rehearsed images, as `docker compose up` would: in dependency
 * order, each one waiting for its `service_healthy` dependencies' healthchecks, with exactly the
 * environment compose gives it. Only three things change, and only through the environment:
 * a service host name becomes 127.0.0.1, each container port becomes a free port (consistently, in
 * every URL and in `PORT`), and a named volume's mount point becomes a directory under `volumesDir`.
 */
export async function startStack(options: StartStackOptions): Promise<Stack> {
  const log = options.log ?? (() => {});
  const services: Record<string, StackService> = {};
  const ports: Record<string, { containerPort: number; port: number }> = {};
  for (const [name, service] of Object.entries(options.services)) {
    const containerPort = portsOf(service)[0]?.target;
    if (containerPort === undefined) throw new Error(`${name} publishes no port`);
    ports[name] = { containerPort, port: await freePort() };
  }

  const remap = (value: string) => {
    let result = value;
    for (const [name, { containerPort, port }] of Object.entries(ports)) {
      result = result.replaceAll(`://${name}:${containerPort}`, `://127.0.0.1:${port}`);
    }
    return result;
  };

  const stop = async () => {
    for (const name of Object.keys(services).reverse()) await services[name]!.process.stop();
  };

  try {
    for (const name of startOrder(options.services)) {
      const service = options.services[name]!;
      const image = options.images[name];
      if (!image) throw new Error(`no image for ${name}`);
      for (const [dependency, condition] of Object.entries(dependenciesOf(service))) {
        if (condition !== 'service_healthy') continue;
        const code = await services[dependency]!.healthcheck();
        if (code !== 0) throw new Error(`${name}: dependency ${dependency} is not healthy`);
      }

      const { containerPort, port } = ports[name]!;
      const composeEnv = serviceEnvironment(service, options.interpolation ?? {});
      const env: Record<string, string> = {};
      for (const [key, value] of Object.entries({ ...image.env, ...composeEnv })) {
        env[key] = key === 'PORT' && value === String(containerPort) ? String(port) : remap(value);
      }
      for (const volume of volumesOf(service)) {
        const dir = join(options.volumesDir, volume.source);
        mkdirSync(dir, { recursive: true });
        for (const [key, value] of Object.entries(env)) {
          if (value === volume.target || value.startsWith(`${volume.target}/`)) {
            env[key] = dir + value.slice(volume.target.length);
          }
        }
      }

      const [command, entry] = image.cmd;
      if (command !== 'node' || !entry || image.cmd.length !== 2) {
        throw new Error(`${name}: CMD ${JSON.stringify(image.cmd)} is not "node <script>"`);
      }
      log(`[stack] starting ${name} on 127.0.0.1:${port} (container port ${containerPort})`);
      const started = Date.now();
      const child = await startService(name, {
        cwd: image.workdir,
        entry: join(image.workdir, entry),
        port,
        // The container's environment, and nothing the test kit would add (ENV_FILE=none aside:
        // the image has no .env, and neither has the rehearsal's copy).
        env: { ...env, ENV_FILE: undefined },
        timeoutMs: options.timeoutMs ?? 30_000,
      });
      const test = service.healthcheck?.test;
      const healthcheck = async () => {
        if (!Array.isArray(test)) throw new Error(`${name} has no healthcheck test list`);
        const adjusted = test.map((arg) => arg.replaceAll(`:${containerPort}/`, `:${port}/`));
        return runHealthcheck(adjusted, env, image.workdir);
      };
      services[name] = {
        name,
        containerPort,
        port,
        url: `http://127.0.0.1:${port}`,
        env,
        process: child,
        healthcheck,
      };
      // Like compose, give the healthcheck a few tries before calling the service unhealthy.
      let code: number | null = null;
      for (let attempt = 0; attempt < 10 && code !== 0; attempt += 1) {
        if (attempt > 0) await sleep(500);
        code = await healthcheck();
      }
      if (code !== 0) throw new Error(`${name}: healthcheck exited with ${code}`);
      log(`[stack] ${name} healthy after ${Date.now() - started} ms`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { services, stop };
}
