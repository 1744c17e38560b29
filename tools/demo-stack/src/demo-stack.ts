import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  startService,
  type ServiceProcess,
  type StartServiceOptions,
} from '@repo/testkit';
import { appDir, appScript, type AppName } from './apps.js';

type Env = Record<string, string | undefined>;

export interface DemoStackOptions {
  /** Which services to start, in this order; all three by default. */
  services?: AppName[];
  /** Where the auth-server's keys (`auth-server/`) and the deliveries store (`giftdeliveries/`) live; a fresh temporary directory by default (removed by `stop`). */
  dataDir?: string;
  /** Extra environment per service. */
  env?: Partial<Record<AppName, Env>>;
  /** Environment for every service (e.g. `LOG_FORMAT`). */
  commonEnv?: Env;
}

/** The demo's three services as real processes on free ports, wired to each other. */
export interface DemoStack {
  /** `http://127.0.0.1:<port>/`: the token's `iss` and the others' `ISSUER_BASE_URL`. */
  issuer: string;
  authPort: number;
  dataDir: string;
  /** The auth-server's key file (private JWKS). */
  keyFile: string;
  services: Partial<Record<AppName, ServiceProcess>>;
  /** The running process of a service (throws when it is not running). */
  get(name: AppName): ServiceProcess;
  /** Starts (or starts again, after `stop`) one service with the stack's wiring, on the same port. */
  start(name: AppName, extraEnv?: Env): Promise<ServiceProcess>;
  /**
   * Runs the auth-server's rotation command (`npm run rotate-keys`, from its build output) on this
   * stack's key file, while the stack runs; resolves with what it printed.
   */
  rotateKeys(): Promise<string>;
  /** Every log line every process of this stack printed, restarts included. */
  allLines(): { service: AppName; line: string }[];
  stop(): Promise<void>;
}

const DEFAULT_ORDER: AppName[] = ['auth-server', 'worldmappers-api', 'giftdeliveries'];
/** Stopped in this order (the console first: it follows the others' streams). */
const STOP_ORDER: AppName[] = ['console', 'giftdeliveries', 'worldmappers-api', 'auth-server'];

/**
 * Starts auth-server, worldmappers-api and giftdeliveries from their build output, each on a free
 * port, the issuer at `http://127.0.0.1:<port>/`, with their data in a directory of the test's
 * own, so that tests can read the key file, kill and restart processes, and collect every line.
 */
export async function startDemoStack(options: DemoStackOptions = {}): Promise<DemoStack> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'demo-stack-')));
  const ports: Record<AppName, number> = {
    'auth-server': await freePort(),
    'worldmappers-api': await freePort(),
    giftdeliveries: await freePort(),
    console: await freePort(),
  };
  const issuer = `http://127.0.0.1:${ports['auth-server']}/`;
  const wiring: Record<AppName, Env> = {
    'auth-server': { ISSUER: issuer, DATA_DIR: join(dataDir, 'auth-server') },
    'worldmappers-api': { ISSUER_BASE_URL: issuer },
    giftdeliveries: {
      ISSUER_BASE_URL: issuer,
      WORLDMAPPERS_API_URL: `http://127.0.0.1:${ports['worldmappers-api']}`,
      DATA_DIR: join(dataDir, 'giftdeliveries'),
    },
    // Not started by default: `stack.start('console')`.
    console: {
      ISSUER_BASE_URL: issuer,
      WORLDMAPPERS_API_URL: `http://127.0.0.1:${ports['worldmappers-api']}`,
      GIFTDELIVERIES_URL: `http://127.0.0.1:${ports.giftdeliveries}`,
    },
  };
  const services: Partial<Record<AppName, ServiceProcess>> = {};
  const retired: { service: AppName; process: ServiceProcess }[] = [];

  const start = async (name: AppName, extraEnv: Env = {}) => {
    const previous = services[name];
    if (previous) {
      await previous.stop();
      retired.push({ service: name, process: previous });
      delete services[name];
    }
    const service = await startApp(name, {
      port: ports[name],
      env: { ...options.commonEnv, ...wiring[name], ...options.env?.[name], ...extraEnv },
      timeoutMs: 60_000,
    });
    services[name] = service;
    return service;
  };

  const stop = async () => {
    for (const name of STOP_ORDER) {
      const service = services[name];
      if (service) {
        await service.stop();
        retired.push({ service: name, process: service });
        delete services[name];
      }
    }
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
  };

  try {
    for (const name of options.services ?? DEFAULT_ORDER) await start(name);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    issuer,
    authPort: ports['auth-server'],
    dataDir,
    keyFile: join(dataDir, 'auth-server', 'signing-keys.json'),
    services,
    get(name) {
      const service = services[name];
      if (!service) throw new Error(`${name} is not running`);
      return service;
    },
    start,
    rotateKeys: () => rotateKeys(join(dataDir, 'auth-server')),
    allLines: () => [
      ...retired.flatMap(({ service, process }) =>
        process.lines().map((line) => ({ service, line })),
      ),
      ...Object.entries(services).flatMap(([service, process]) =>
        process.lines().map((line) => ({ service: service as AppName, line })),
      ),
    ],
    stop,
  };
}

/** Starts one service from its build output (see startService of @repo/testkit), in its folder. */
export function startApp(
  name: AppName,
  options: Omit<StartServiceOptions, 'entry' | 'cwd'> = {},
): Promise<ServiceProcess> {
  return startService(name, { ...options, entry: appScript(name), cwd: appDir(name) });
}

/** `rotate-keys` of the auth-server's build output, on the keys in `dataDir`. */
export function rotateKeys(dataDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [appScript('auth-server', 'dist/rotate-keys.js')],
      {
        cwd: appDir('auth-server'),
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          ENV_FILE: 'none',
          DATA_DIR: dataDir,
        },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`rotate-keys failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** What `keys:client` was told: where the private key and the public JWKS go, and what to do. */
export interface ClientKeyCommand {
  /** The directory of `<client>.private.pem`. */
  out: string;
  /** The public JWKS file (the auth-server's `DATA_DIR/clients/<client>.jwks.json`). */
  jwks: string;
  client?: string;
  rotate?: boolean;
  retire?: string;
}

/**
 * `npm run keys:client` of giftdeliveries' build output: a new key pair for a private_key_jwt
 * client (or `--rotate`, `--retire=<kid>`); resolves with the public JWKS it printed.
 */
export function clientKeys(command: ClientKeyCommand): Promise<{ keys: Record<string, string>[] }> {
  const args = ['--out', command.out, '--jwks', command.jwks];
  if (command.client) args.push('--client', command.client);
  if (command.rotate) args.push('--rotate');
  // With "=": a kid (base64url) may begin with "-", which parseArgs would take for an option.
  if (command.retire) args.push(`--retire=${command.retire}`);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [appScript('giftdeliveries', 'dist/cli/keys-client.js'), ...args],
      {
        cwd: appDir('giftdeliveries'),
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ENV_FILE: 'none' },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`keys:client failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as { keys: Record<string, string>[] });
      },
    );
  });
}
