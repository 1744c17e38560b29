/**
 * `npm run keys:client`: a key pair for a private_key_jwt client (RFC 7523).
 *
 *   npm run keys:client [-- --client <id>] [--out <dir>] [--jwks <file>] [--alg ES256]
 *   npm run keys:client -- --rotate        add a new key; the old one stays in the JWKS (overlap)
 *   npm run keys:client -- --retire=<kid>  remove a key from the JWKS once no client signs with it
 *
 * Writes the private key to `<out>/<client>.private.pem` (mode 0600; never printed; default
 * `apps/giftdeliveries/data/client-keys`, where CLIENT_PRIVATE_KEY_FILE's example points), the public
 * JWKS to `--jwks` (default: the local auth-server's `data/clients/<client>.jwks.json`, which it
 * re-reads while running), and prints the public JWKS to register elsewhere (Auth0…).
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_KEY_CLIENT } from '@repo/contracts';
import {
  CLIENT_ASSERTION_ALGS,
  DEFAULT_CLIENT_ASSERTION_ALG,
  generateClientKey,
  type ClientAssertionAlg,
} from '@repo/token-client';

/** This app's folder, from this file (dist/cli or src/cli). */
const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The local auth-server's data directory (its default DATA_DIR under npm start). */
const AUTH_SERVER_DATA = resolve(APP_DIR, '..', 'auth-server', 'data');
/** Paths given on the command line are the caller's: npm runs us in this app's folder. */
const CALLER_DIR = process.env.INIT_CWD ?? process.cwd();

interface Jwks {
  keys: { kid?: string }[];
}

async function readJwks(file: string): Promise<Jwks | undefined> {
  try {
    const jwks = JSON.parse(await readFile(file, 'utf8')) as Jwks;
    if (!Array.isArray(jwks.keys)) throw new Error('no "keys" list');
    return jwks;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file} is not a JWKS: ${(error as Error).message}`);
  }
}

/** A new file renamed into place: a reader (the auth-server) never sees half of it. */
async function writeAtomically(file: string, text: string, mode: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode });
  await chmod(temporary, mode);
  await rename(temporary, file);
}

function fail(message: string): never {
  process.stderr.write(`keys:client: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      client: { type: 'string', default: DEMO_KEY_CLIENT.id },
      out: { type: 'string' },
      jwks: { type: 'string' },
      alg: { type: 'string', default: DEFAULT_CLIENT_ASSERTION_ALG },
      rotate: { type: 'boolean', default: false },
      retire: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      [
        'npm run keys:client [-- --client <id>] [--out <dir>] [--jwks <file>] [--alg ES256]',
        '  --rotate        add a new key pair; the old public key stays in the JWKS (overlap)',
        '  --retire=<kid>  remove a public key from the JWKS (with "=": a kid may begin with "-")',
        '',
      ].join('\n'),
    );
    return;
  }
  const client = values.client!;
  if (!/^[A-Za-z0-9._~-]+$/.test(client)) fail(`invalid client id "${client}"`);
  const alg = values.alg as ClientAssertionAlg;
  if (!CLIENT_ASSERTION_ALGS.includes(alg)) {
    fail(`--alg must be one of ${CLIENT_ASSERTION_ALGS.join(', ')}`);
  }
  const jwksFile = values.jwks
    ? resolve(CALLER_DIR, values.jwks)
    : join(AUTH_SERVER_DATA, 'clients', `${client}.jwks.json`);
  const outDir = values.out
    ? resolve(CALLER_DIR, values.out)
    : join(APP_DIR, 'data', 'client-keys');
  const keyFile = join(outDir, `${client}.private.pem`);
  const existing = await readJwks(jwksFile).catch((error: Error) => fail(error.message));

  if (values.retire !== undefined) {
    const kept = (existing?.keys ?? []).filter((key) => key.kid !== values.retire);
    if (!existing || kept.length === existing.keys.length) {
      fail(`no key "${values.retire}" in ${jwksFile}`);
    }
    const jwks = { keys: kept };
    await writeAtomically(jwksFile, `${JSON.stringify(jwks, null, 2)}\n`, 0o644);
    process.stderr.write(`retired ${values.retire}; public JWKS: ${jwksFile}\n`);
    process.stdout.write(`${JSON.stringify(jwks, null, 2)}\n`);
    return;
  }
  if (existing && existing.keys.length > 0 && !values.rotate) {
    fail(
      `${jwksFile} already holds ${existing.keys.map((k) => k.kid).join(', ')}: use --rotate to add a new key (the old one stays until --retire)`,
    );
  }
  const { privatePem, publicJwk, publicPem } = await generateClientKey(alg);
  const jwks = { keys: [publicJwk, ...(values.rotate ? (existing?.keys ?? []) : [])] };
  await writeAtomically(keyFile, privatePem, 0o600);
  // Auth0 takes the public key as a PEM (Application → Credentials → Private Key JWT).
  const publicPemFile = join(outDir, `${client}.public.pem`);
  await writeAtomically(publicPemFile, publicPem, 0o644);
  await writeAtomically(jwksFile, `${JSON.stringify(jwks, null, 2)}\n`, 0o644);
  process.stderr.write(
    [
      `new ${alg} key ${publicJwk.kid} for client "${client}"`,
      `  private key (keep it secret, never commit it): ${keyFile}`,
      `  public JWKS (registered at the local auth-server): ${jwksFile}`,
      `  public key as PEM (to register at Auth0): ${publicPemFile}`,
      // `--retire=<kid>`, not `--retire <kid>`: a kid (base64url) may begin with "-".
      ...(values.rotate
        ? [
            '  the old keys still work; once every client uses the new one, retire them:',
            ...(existing?.keys ?? []).map(
              (key) => `    npm run keys:client -- --client ${client} --retire=${key.kid}`,
            ),
          ]
        : ['']),
      '',
    ]
      .filter((line, i, all) => line !== '' || i === all.length - 1)
      .join('\n'),
  );
  process.stdout.write(`${JSON.stringify(jwks, null, 2)}\n`);
}

await main();
