import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { dockerignoreMatcher } from './dockerignore.js';
import {
  envPairs,
  execForm,
  parseDockerfile,
  splitFlags,
  type Dockerfile,
  type Stage,
} from './dockerfile.js';

/** What a rehearsed image would run, and where its files are on this machine. */
export interface RehearsedImage {
  /** The final stage's filesystem root; the container path `/x` is `join(root, 'x')`. */
  root: string;
  /** The working directory of the final stage, on this machine. */
  workdir: string;
  /** `ENV` of the final stage (the base image's own variables aside). */
  env: Record<string, string>;
  /** `CMD`, exec form. */
  cmd: string[];
  /** `HEALTHCHECK CMD`, exec form, if any. */
  healthcheck?: string[];
  user?: string;
  expose: number[];
  /** `RUN` lines of the final stage that only make sense in a real image, and were not run. */
  skipped: string[];
}

export interface RehearsalOptions {
  /** The build context (the repository root). */
  context: string;
  /** The Dockerfile, relative to the context. */
  dockerfile: string;
  /** An empty directory to build in. */
  workDir: string;
  /** Progress lines. */
  log?: (line: string) => void;
  /**
   * `RUN` lines of the final stage that may be skipped because they only prepare the container
   * (users, ownership of a volume's mount point). Anything else in the final stage fails.
   */
  imageOnly?: RegExp[];
  /** Extra environment for `RUN` steps (e.g. `npm_config_prefer_offline=true` for a warm cache). */
  runEnv?: Record<string, string>;
}

interface StageState {
  root: string;
  workdir: string;
  env: Record<string, string>;
}

/**
 * Host variables a `RUN` step gets besides the stage's `ENV`: how this machine reaches the npm
 * registry (proxies, extra CA certificates, the registry and cache npm uses). Docker gets these
 * from the daemon's or the builder's configuration; nothing else of the host's environment leaks
 * into a step (not npm's per-project settings such as `npm_config_local_prefix`).
 */
const NETWORK_ENV =
  /^(?:NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|(?:HTTPS?|NO)_PROXY|npm_config_(?:registry|cafile|ca|strict_ssl|proxy|https_proxy|noproxy|cache))$/i;

function networkEnvironment(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => NETWORK_ENV.test(entry[0]) && entry[1] !== undefined,
    ),
  );
}

const DEFAULT_IMAGE_ONLY = [/^mkdir -p (\/[\w/-]+) && chown node:node \1$/];

function run(command: string, cwd: string, env: Record<string, string>, log: (l: string) => void) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const keep = (chunk: Buffer) => output.push(chunk.toString('utf8'));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else {
        const tail = output.join('').split('\n').slice(-40).join('\n');
        log(tail);
        reject(new Error(`RUN ${command} exited with ${code}\n${tail}`));
      }
    });
  });
}

/** Container path → path on this machine, inside a stage's root. */
function hostPath(state: StageState, containerPath: string): string {
  const absolute = posix.isAbsolute(containerPath)
    ? containerPath
    : posix.join(state.workdir, containerPath);
  return join(state.root, ...posix.normalize(absolute).split('/').filter(Boolean));
}

/** `COPY src… dest`: a directory's contents go into `dest`; a file goes into or becomes `dest`. */
function copyInto(
  sources: string[],
  destination: string,
  destinationIsDirectory: boolean,
  filter?: (path: string) => boolean,
) {
  for (const source of sources) {
    if (!existsSync(source)) throw new Error(`COPY: ${source} does not exist`);
    if (statSync(source).isDirectory()) {
      mkdirSync(destination, { recursive: true });
      cpSync(source, destination, {
        recursive: true,
        verbatimSymlinks: true,
        filter: filter ?? (() => true),
      });
    } else {
      const intoDirectory =
        destinationIsDirectory || (existsSync(destination) && statSync(destination).isDirectory());
      const target = intoDirectory ? join(destination, source.split(sep).at(-1)!) : destination;
      mkdirSync(join(target, '..'), { recursive: true });
      cpSync(source, target);
    }
  }
}

/**
 * Performs a Dockerfile's build outside Docker: each stage gets a directory standing for its
 * filesystem, `COPY` copies (the context filtered by `.dockerignore`), `RUN` runs with `sh -c` in the
 * stage's `WORKDIR`, `npm install --global` lands in a private prefix whose `bin` is on `PATH`.
 * The base image is this machine's Node (the caller checks that the versions agree).
 *
 * The last stage's `RUN` lines must each match `imageOnly` (they prepare users and mount points of a
 * real container); they are listed in `skipped`, not run.
 */
export async function rehearseImage(options: RehearsalOptions): Promise<RehearsedImage> {
  const log = options.log ?? (() => {});
  const imageOnly = options.imageOnly ?? DEFAULT_IMAGE_ONLY;
  const dockerfile: Dockerfile = parseDockerfile(
    readFileSync(join(options.context, options.dockerfile), 'utf8'),
  );
  const ignoreFile = join(options.context, '.dockerignore');
  const ignored = dockerignoreMatcher(
    existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : '',
  );
  const contextFilter = (path: string) => {
    const rel = relative(options.context, path).split(sep).join('/');
    return rel === '' || !ignored(rel);
  };
  const globalPrefix = join(options.workDir, 'npm-global');
  const states = new Map<string, StageState>();
  const finalStage: Stage = dockerfile.stages.at(-1)!;
  let final: RehearsedImage | undefined;

  for (const stage of dockerfile.stages) {
    const root = join(options.workDir, 'stages', stage.name);
    mkdirSync(root, { recursive: true });
    const parent = states.get(stage.from);
    if (parent) cpSync(parent.root, root, { recursive: true, verbatimSymlinks: true });
    const state: StageState = parent
      ? { root, workdir: parent.workdir, env: { ...parent.env } }
      : { root, workdir: '/', env: {} };
    states.set(stage.name, state);
    const isFinal = stage === finalStage;
    const image: RehearsedImage = {
      root,
      workdir: '',
      env: {},
      cmd: [],
      expose: [],
      skipped: [],
    };
    log(`[${options.dockerfile}] stage ${stage.name} (from ${stage.from})`);

    for (const { keyword, args, line } of stage.instructions) {
      const where = `${options.dockerfile}:${line}`;
      switch (keyword) {
        case 'ARG':
          break;
        case 'ENV':
          for (const [key, value] of envPairs(args)) state.env[key] = value;
          break;
        case 'WORKDIR':
          state.workdir = posix.resolve(state.workdir, args.trim());
          mkdirSync(hostPath(state, state.workdir), { recursive: true });
          break;
        case 'COPY': {
          const { flags, rest } = splitFlags(args);
          const parts = execForm(rest) ?? rest.split(/\s+/);
          const destination = hostPath(state, parts.at(-1)!);
          const destinationIsDirectory = /\/$|^\.$/.test(parts.at(-1)!);
          const from = flags.from;
          if (from) {
            const source = states.get(from);
            if (!source) throw new Error(`${where}: COPY --from=${from}: no such stage`);
            copyInto(
              parts.slice(0, -1).map((path) => hostPath(source, path)),
              destination,
              destinationIsDirectory,
            );
          } else {
            copyInto(
              parts.slice(0, -1).map((path) => join(options.context, path)),
              destination,
              destinationIsDirectory,
              contextFilter,
            );
          }
          break;
        }
        case 'RUN': {
          const command = args.trim();
          if (isFinal) {
            if (!imageOnly.some((pattern) => pattern.test(command))) {
              throw new Error(`${where}: the rehearsal does not know how to replay RUN ${command}`);
            }
            image.skipped.push(command);
            log(`[${options.dockerfile}] skipped (image only): RUN ${command}`);
            break;
          }
          log(`[${options.dockerfile}] RUN ${command.replace(/\s+/g, ' ').slice(0, 100)}`);
          const started = Date.now();
          await run(
            command,
            hostPath(state, state.workdir),
            {
              ...networkEnvironment(),
              ...state.env,
              ...options.runEnv,
              PATH: `${join(globalPrefix, 'bin')}:${process.env.PATH ?? ''}`,
              HOME: process.env.HOME ?? options.workDir,
              npm_config_prefix: globalPrefix,
            },
            log,
          );
          log(`[${options.dockerfile}]   done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
          break;
        }
        case 'USER':
          image.user = args.trim();
          break;
        case 'EXPOSE':
          image.expose.push(...args.split(/\s+/).map((port) => Number(port.split('/')[0])));
          break;
        case 'HEALTHCHECK': {
          const { rest } = splitFlags(args);
          const command = /^CMD\s+([\s\S]*)$/.exec(rest)?.[1];
          const form = command ? execForm(command) : undefined;
          if (form) image.healthcheck = form;
          break;
        }
        case 'CMD':
          image.cmd = execForm(args) ?? ['sh', '-c', args];
          break;
        default:
          throw new Error(`${where}: the rehearsal does not know ${keyword}`);
      }
    }
    if (isFinal) {
      image.workdir = hostPath(state, state.workdir);
      image.env = { ...state.env };
      final = image;
    }
  }
  return final!;
}
