import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { currentSigningKey } from '@repo/testkit';
import { DEMO_KEY_CLIENT } from '@repo/contracts';
import { appDir, clientKeys, rotateKeys, startDemoStack, type DemoStack } from 'demo-stack';

/** Where the lab looks for the services. */
export interface Endpoints {
  /** With a trailing slash. */
  issuer: string;
  worldmappers: string;
  giftdeliveries: string;
}

/** The stack the scenarios run against. */
export interface LabStack extends Endpoints {
  /** The auth-server's key file, when the lab may use it (it owns the stack, or the file matches). */
  keyFile: string | undefined;
  /** Rotates the signing keys of this stack, when the lab can. */
  rotate: (() => Promise<string>) | undefined;
  /**
   * The private_key_jwt client's files: the public JWKS the auth-server reads and the private key
   * the client signs with; `create` makes a key pair first (on the lab's own stack).
   */
  clientKeys: { jwks: string; privateKey: string; create?: () => Promise<unknown> } | undefined;
  /** True when the lab started the stack itself. */
  own: boolean;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** The default data directory of `npm start` (auth-server's `DATA_DIR=./data`, relative to the app). */
export const DEFAULT_AUTH_DATA_DIR = join(appDir('auth-server'), 'data');

/**
 * Whether `keyFile` holds the key the running auth-server signs with: its current kid must be
 * the first key of the served JWKS. Only then may the lab sign or rotate on that server's behalf.
 */
async function keyFileMatches(keyFile: string, issuer: string): Promise<boolean> {
  if (!existsSync(keyFile)) return false;
  try {
    const key = await currentSigningKey(keyFile);
    const res = await fetch(`${issuer}.well-known/jwks.json`, {
      signal: AbortSignal.timeout(2_000),
    });
    const jwks = (await res.json()) as { keys?: { kid?: string; n?: string }[] };
    return jwks.keys?.[0]?.kid === key.kid && jwks.keys[0].n === key.publicJwk.n;
  } catch {
    return false;
  }
}

export type FindResult =
  | { kind: 'running'; stack: LabStack; keyFileChecked: string; keyFileUsable: boolean }
  | { kind: 'partial'; missing: string[] }
  | { kind: 'none' };

/** Looks for a running stack at `endpoints`. */
export async function findRunningStack(endpoints: Endpoints): Promise<FindResult> {
  const [auth, api, gifts] = await Promise.all([
    answers(`${endpoints.issuer}.well-known/openid-configuration`),
    answers(`${endpoints.worldmappers}/healthz`),
    answers(`${endpoints.giftdeliveries}/healthz`),
  ]);
  if (!auth && !api && !gifts) return { kind: 'none' };
  // The scenarios need the auth-server and the API; giftdeliveries is not called.
  if (!auth || !api) {
    const missing = [];
    if (!auth) missing.push(`auth-server (${endpoints.issuer})`);
    if (!api) missing.push(`worldmappers-api (${endpoints.worldmappers})`);
    return { kind: 'partial', missing };
  }
  const keyFile = join(DEFAULT_AUTH_DATA_DIR, 'signing-keys.json');
  const usable = await keyFileMatches(keyFile, endpoints.issuer);
  // Where `npm run keys:client` writes them for `npm start`; scenario 11 says so when absent.
  const id = DEMO_KEY_CLIENT.id;
  return {
    kind: 'running',
    keyFileChecked: keyFile,
    keyFileUsable: usable,
    stack: {
      ...endpoints,
      keyFile: usable ? keyFile : undefined,
      rotate: usable ? () => rotateKeys(DEFAULT_AUTH_DATA_DIR) : undefined,
      clientKeys: usable
        ? {
            jwks: join(DEFAULT_AUTH_DATA_DIR, 'clients', `${id}.jwks.json`),
            privateKey: join(appDir('giftdeliveries'), 'data', 'client-keys', `${id}.private.pem`),
          }
        : undefined,
      own: false,
      stop: async () => {},
    },
  };
}

/** Starts the three services from their builds on free ports, in a temporary data directory. */
export async function startOwnStack(): Promise<LabStack> {
  const stack: DemoStack = await startDemoStack({
    commonEnv: { NODE_ENV: 'development', LOG_LEVEL: 'warn' },
    env: { giftdeliveries: { SEED_SAMPLE_DELIVERIES: 'false' } },
  });
  const ownJwks = join(stack.dataDir, 'auth-server', 'clients', `${DEMO_KEY_CLIENT.id}.jwks.json`);
  const ownKeys = join(stack.dataDir, 'giftdeliveries', 'client-keys');
  return {
    issuer: stack.issuer,
    worldmappers: stack.get('worldmappers-api').url,
    giftdeliveries: stack.get('giftdeliveries').url,
    keyFile: stack.keyFile,
    rotate: () => stack.rotateKeys(),
    clientKeys: {
      jwks: ownJwks,
      privateKey: join(ownKeys, `${DEMO_KEY_CLIENT.id}.private.pem`),
      // The real command, into the stack's data: the running auth-server picks the JWKS up.
      create: () => clientKeys({ out: ownKeys, jwks: ownJwks }),
    },
    own: true,
    stop: () => stack.stop(),
  };
}
