import { randomBytes } from 'node:crypto';
import { isVsChar } from './secret-strength.js';
import { z } from '@repo/config';
import {
  DEFAULT_TOKEN_QUOTA_PER_HOUR,
  maxTokenLifetimeSeconds,
  type ApiDefinition,
  type ClientDefinition,
  type Registry,
} from './registry.js';

/** One thing wrong with the registry, located by a path such as `clients[1].grants`. */
export interface RegistryProblem {
  path: string;
  message: string;
}

/** Every problem of the registry at once; the message is the block printed at start-up. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';

  constructor(readonly problems: readonly RegistryProblem[]) {
    super(
      [
        `auth-server: invalid registry (${problems.length} problem${problems.length === 1 ? '' : 's'}):`,
        ...problems.map((p) => `  - ${p.path}: ${p.message}`),
        'Fix apps/auth-server/src/registry.ts (see apps/auth-server/README.md).',
      ].join('\n'),
    );
  }
}

/**
 * Where a `private_key_jwt` client's public keys are: a JWKS file (the variable's value, relative
 * to the working directory, or the registry's default, relative to `DATA_DIR`), or a `jwks_uri`.
 */
export type ResolvedPublicKeys =
  { jwksFile: string; variable: string; relativeTo: 'cwd' | 'dataDir' } | { jwksUri: string };

/** A client with its secret (or its public keys), as the server uses it. */
export interface ResolvedClient extends Omit<ClientDefinition, 'publicKeys'> {
  /** Undefined for a `private_key_jwt` client: it has none. */
  secret: string | undefined;
  publicKeys?: ResolvedPublicKeys;
  tokenQuotaPerHour: number;
}

/** The registry after validation, indexed for the token endpoint. */
export interface ResolvedRegistry {
  apis: ReadonlyMap<string, ApiDefinition>;
  clients: ReadonlyMap<string, ResolvedClient>;
  /** The longest token lifetime of any API: how long a retired signing key must stay published. */
  maxTokenLifetimeSeconds: number;
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const CLIENT_ID = /^[A-Za-z0-9._~-]+$/;
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

const apiSchema = z.object({
  identifier: z
    .string()
    .refine((id) => URL.canParse(id), {
      error: (issue) =>
        `"${String(issue.input)}" is not an absolute URI (RFC 8707 needs one, e.g. urn:my-api or https://api.example.com/)`,
      abort: true,
    })
    .refine((id) => !id.includes('#'), 'must not contain a fragment (#)'),
  name: z.string().refine((name) => name.trim() !== '', 'must not be empty'),
  scopes: z.record(z.string(), z.string()).superRefine((scopes, ctx) => {
    const names = Object.keys(scopes);
    if (names.length === 0)
      ctx.addIssue({ code: 'custom', message: 'an API needs at least one scope' });
    for (const scope of names.filter((name) => !SCOPE_TOKEN.test(name))) {
      ctx.addIssue({
        code: 'custom',
        message: `"${scope}" is not a valid scope name (no spaces, quotes or backslashes)`,
      });
    }
  }),
  tokenLifetimeSeconds: z.number().refine((n) => Number.isSafeInteger(n) && n > 0, {
    error: (issue) => `must be a positive whole number of seconds (got ${String(issue.input)})`,
  }),
});

const clientSchema = z
  .object({
    id: z.string().regex(CLIENT_ID, {
      error: (issue) => `"${String(issue.input)}" must be letters, digits, ".", "_", "~" or "-"`,
    }),
    name: z.string(),
    enabled: z.boolean(),
    secretEnv: z
      .string()
      .regex(ENV_NAME, {
        error: (issue) =>
          `"${String(issue.input)}" is not an environment variable name (e.g. MY_CLIENT_SECRET)`,
      })
      .optional(),
    publicKeys: z
      .union([
        z.object({
          jwksFileEnv: z.string().regex(ENV_NAME, {
            error: (issue) =>
              `"${String(issue.input)}" is not an environment variable name (e.g. MY_CLIENT_JWKS_FILE)`,
          }),
          defaultJwksFile: z.string().min(1),
        }),
        z.object({
          jwksUri: z.url({
            protocol: /^https?$/,
            error: 'jwksUri must be an absolute http(s) URL',
          }),
        }),
      ])
      .optional(),
    grants: z.record(z.string(), z.array(z.string())),
    tokenQuotaPerHour: z
      .number()
      .refine((n) => Number.isSafeInteger(n) && n > 0, {
        error: (issue) =>
          `must be a positive whole number of tokens per hour (got ${String(issue.input)})`,
      })
      .optional(),
  })
  .superRefine((client, ctx) => {
    if ((client.secretEnv === undefined) === (client.publicKeys === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['secretEnv'],
        message:
          'a client has either a secret (secretEnv) or public keys (publicKeys, for private_key_jwt), exactly one',
      });
    }
    if (client.enabled && Object.keys(client.grants).length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['grants'],
        message: 'an enabled client needs at least one grant',
      });
    }
  });

/**
 * The registry's schema: each entry's fields, then what spans entries (duplicates, whose other
 * checks are skipped, and grants of unknown APIs or scopes). Paths: `['clients', 2, 'grants']`.
 */
const registrySchema = z
  .object({ apis: z.array(apiSchema), clients: z.array(clientSchema) })
  .superRefine(({ apis, clients }, ctx) => {
    const problem = (path: PropertyKey[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    const known = new Map<string, (typeof apis)[number]>();
    apis.forEach((api, index) => {
      if (!known.has(api.identifier)) known.set(api.identifier, api);
      else problem(['apis', index], `duplicate API identifier "${api.identifier}"`);
    });
    const ids = new Set<string>();
    clients.forEach((client, index) => {
      if (ids.has(client.id))
        return problem(['clients', index], `duplicate client id "${client.id}"`);
      ids.add(client.id);
      for (const [identifier, scopes] of Object.entries(client.grants)) {
        const api = known.get(identifier);
        const path = ['clients', index, 'grants', identifier];
        if (!api) {
          const names = [...known.keys()].join(', ') || 'none';
          problem(path.slice(0, 3), `unknown API "${identifier}" (known: ${names})`);
          continue;
        }
        if (scopes.length === 0) {
          problem(path, 'grants no scope; remove the grant or list at least one scope');
        }
        const unknown = scopes.filter((scope) => !(scope in api.scopes));
        if (unknown.length > 0) {
          problem(
            path,
            `unknown scope${unknown.length === 1 ? '' : 's'} ${unknown.map((s) => `"${s}"`).join(', ')} (${identifier} defines ${Object.keys(api.scopes).join(', ')})`,
          );
        }
      }
    });
  }) satisfies z.ZodType<Registry>;

/** `clients[2] (orphan).grants["urn:x"]`: the entry by position and name, then the field. */
function pathOf(registry: Registry, path: readonly PropertyKey[]): string {
  const [section, index, field, ...rest] = path;
  if (typeof index !== 'number') return String(section ?? 'registry');
  const entry = (registry as unknown as Record<string, Record<string, unknown>[]>)[
    String(section)
  ]?.[index];
  const name = section === 'apis' ? entry?.identifier : entry?.id;
  let text = `${String(section)}[${index}]${typeof name === 'string' ? ` (${name})` : ''}`;
  if (field !== undefined) text += `.${String(field)}`;
  for (const key of rest) text += typeof key === 'number' ? `[${key}]` : `["${String(key)}"]`;
  return text;
}

/** Where a problem sorts: registry order (APIs, then clients, by entry). */
const entryOrder = ([section, index]: readonly PropertyKey[]) =>
  (section === 'apis' ? 0 : 1e9) + (typeof index === 'number' ? index : -1);

/**
 * Validates the registry and attaches each client's secret, read from the variable the client
 * names. Reports every problem together in a {@link RegistryError}: duplicate ids, unknown APIs
 * or scopes in grants, invalid identifiers, missing secrets (never their values).
 */
export function validateRegistry(
  registry: Registry,
  secrets: Readonly<Record<string, string | undefined>>,
): ResolvedRegistry {
  const found: { at: readonly PropertyKey[]; message: string }[] = (
    registrySchema.safeParse(registry).error?.issues ?? []
  ).map((issue) => ({ at: issue.path, message: issue.message }));
  const apis = new Map<string, ApiDefinition>();
  for (const api of registry.apis) if (!apis.has(api.identifier)) apis.set(api.identifier, api);

  const clients = new Map<string, ResolvedClient>();
  registry.clients.forEach((client, index) => {
    if (clients.has(client.id)) return;
    const quota = client.tokenQuotaPerHour ?? DEFAULT_TOKEN_QUOTA_PER_HOUR;
    if (client.secretEnv === undefined) {
      // A private_key_jwt client: no secret to check; its keys are loaded with the settings.
      const keys = client.publicKeys;
      let publicKeys: ResolvedPublicKeys | undefined;
      if (keys && 'jwksUri' in keys) publicKeys = { jwksUri: keys.jwksUri };
      else if (keys) {
        const value = secrets[keys.jwksFileEnv];
        publicKeys =
          value !== undefined && value !== ''
            ? { jwksFile: value, variable: keys.jwksFileEnv, relativeTo: 'cwd' }
            : { jwksFile: keys.defaultJwksFile, variable: keys.jwksFileEnv, relativeTo: 'dataDir' };
      }
      const { publicKeys: _declared, ...rest } = client;
      clients.set(client.id, { ...rest, secret: undefined, publicKeys, tokenQuotaPerHour: quota });
      return;
    }
    let secret = secrets[client.secretEnv];
    if ((secret === undefined || secret === '') && !client.enabled) {
      // A disabled client gets no token anyway; without a secret it cannot even authenticate.
      secret = randomBytes(32).toString('base64url');
    }
    if (secret !== undefined && secret !== '' && !isVsChar(secret)) {
      // Refused at start rather than at every request (oidc-provider compares VSCHAR only).
      found.push({
        at: ['clients', index, 'secretEnv'],
        message: `${client.secretEnv} holds a character outside RFC 6749's client secret set (VSCHAR: printable ASCII, %x20-7E); use e.g. openssl rand -hex 32`,
      });
    }
    if (secret === undefined || secret === '') {
      found.push({
        at: ['clients', index, 'secretEnv'],
        message: `missing secret: set ${client.secretEnv} in the environment or the root .env`,
      });
    }
    const { publicKeys: _none, ...rest } = client;
    clients.set(client.id, { ...rest, secret: secret ?? '', tokenQuotaPerHour: quota });
  });

  if (found.length > 0) {
    // A stable sort: each entry's problems keep the order they were found in.
    found.sort((a, b) => entryOrder(a.at) - entryOrder(b.at));
    throw new RegistryError(
      found.map(({ at, message }) => ({ path: pathOf(registry, at), message })),
    );
  }
  return { apis, clients, maxTokenLifetimeSeconds: maxTokenLifetimeSeconds(apis.values()) };
}
