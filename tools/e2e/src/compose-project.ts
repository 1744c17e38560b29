import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './workspace.js';

/** What a command printed, and how it ended. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to this process's environment (Compose interpolates from it). */
  env?: Record<string, string>;
  /** Resolve with a non-zero exit instead of throwing. */
  allowFailure?: boolean;
  timeoutMs?: number;
  /** Each line of output as it arrives (builds are long; the log shows their progress). */
  onLine?: (line: string) => void;
}

/** Runs a command from the repository root with no stdin; throws on a non-zero exit. */
export function run(
  command: string,
  args: string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = { stdout: '', stderr: '' };
    let partial = '';
    const collect = (stream: 'stdout' | 'stderr') => (chunk: string) => {
      out[stream] += chunk;
      if (!options.onLine) return;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      lines.forEach((line) => options.onLine!(line));
    };
    child.stdout.setEncoding('utf8').on('data', collect('stdout'));
    child.stderr.setEncoding('utf8').on('data', collect('stderr'));
    const timeoutMs = options.timeoutMs ?? 120_000;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const result = { code, ...out };
      const line = `${command} ${args.join(' ')}`;
      if (code === 0 || options.allowFailure) resolve(result);
      else reject(new Error(`${line} exited with ${code}:\n${out.stdout}\n${out.stderr}`));
    });
  });
}

/**
 * The Compose command: `COMPOSE` when set (the docker tier's runner sets it), else the v2 plugin,
 * `docker compose`.
 */
export function composeCommand(): string[] {
  return (process.env.COMPOSE ?? 'docker compose').split(' ').filter(Boolean);
}

/** The override the docker tier builds with: the host's network for `npm ci` (no NAT). */
export const BUILD_NETWORK_FILE = join('tools', 'e2e', 'docker', 'compose.build-network.yml');
/** The same for docker-compose.scale.yml. */
export const SCALE_BUILD_NETWORK_FILE = join(
  'tools',
  'e2e',
  'docker',
  'compose.scale.build-network.yml',
);

let version: Promise<string> | undefined;

/** `version --short` of the Compose command, e.g. `1.29.2` or `2.29.7`. */
export function composeVersion(): Promise<string> {
  const [command, ...prefix] = composeCommand();
  version ??= run(command!, [...prefix, 'version', '--short']).then(({ stdout }) => stdout.trim());
  return version;
}

/** One Compose project: the repository's compose files under a project name of its own. */
export class ComposeProject {
  /** Where its commands run (the files are relative to it). */
  readonly cwd = repoRoot;

  constructor(
    readonly name: string,
    readonly files: readonly string[],
    /** Interpolation variables for every command (e.g. production secrets). */
    readonly env: Record<string, string> = {},
  ) {}

  /** `docker compose -p <name> -f … <args>`. */
  compose(args: string[], options: RunOptions = {}): Promise<CommandResult> {
    const [command, ...prefix] = composeCommand();
    const files = this.files.flatMap((file) => ['-f', file]);
    return run(command!, [...prefix, '-p', this.name, ...files, ...args], {
      ...options,
      env: { ...this.env, ...options.env },
    });
  }

  /** The image Compose builds for a service: `<project>_<service>` in v1, `-` in v2. */
  async image(service: string): Promise<string> {
    return `${this.name}${(await composeVersion()).startsWith('1.') ? '_' : '-'}${service}`;
  }

  /** `docker inspect` of a service's container. */
  async inspect(service: string): Promise<ContainerState> {
    return (await this.inspectAll(service))[0]!;
  }

  /** `docker inspect` of every container of a service (its replicas), in `ps` order. */
  async inspectAll(service: string): Promise<ContainerState[]> {
    const ids = (await this.compose(['ps', '-q', service])).stdout.trim().split('\n');
    if (!ids[0]) throw new Error(`${this.name}: ${service} has no container`);
    const { stdout } = await run('docker', ['inspect', ...ids]);
    return JSON.parse(stdout) as ContainerState[];
  }

  /**
   * Waits until every container of every service (each replica) reports `healthy` (its compose
   * healthcheck); resolves
   * with the milliseconds it took. Throws with the logs of any that stopped or never became healthy.
   */
  async waitHealthy(services: readonly string[], timeoutMs = 180_000): Promise<number> {
    const started = Date.now();
    for (;;) {
      const states = await Promise.all(services.map((service) => this.inspectAll(service)));
      if (states.flat().every((state) => state.State.Health?.Status === 'healthy')) {
        return Date.now() - started;
      }
      if (Date.now() - started > timeoutMs) {
        const report = states
          .map(
            (replicas, i) =>
              `${services[i]}: ${replicas.map((state) => `${state.State.Status}/${state.State.Health?.Status}`).join(' ')}`,
          )
          .join(', ');
        const logs = await this.compose(['logs', '--no-color', '--tail', '40'], {
          allowFailure: true,
        });
        throw new Error(
          `${this.name} not healthy after ${timeoutMs} ms (${report}):\n${logs.stdout}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  /** Everything the project made: containers, networks, volumes. Never throws. */
  async down(): Promise<void> {
    await this.compose(['down', '--volumes', '--remove-orphans', '--timeout', '5'], {
      allowFailure: true,
    });
  }
}

/** The part of `docker inspect` the tier reads. */
export interface ContainerState {
  Id: string;
  RestartCount: number;
  State: { Status: string; Pid: number; ExitCode: number; Health?: { Status: string } };
  Config: { User: string; WorkingDir: string; Env: string[]; Image: string };
  Image: string;
}
