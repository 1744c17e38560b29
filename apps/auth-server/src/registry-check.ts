import { randomBytes } from 'node:crypto';
import {
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

/** A client with its secret, as the server uses it. */
export interface ResolvedClient extends ClientDefinition {
  secret: string;
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

function checkApi(api: ApiDefinition, path: string, problems: RegistryProblem[]): void {
  if (!URL.canParse(api.identifier)) {
    problems.push({
      path: `${path}.identifier`,
      message: `"${api.identifier}" is not an absolute URI (RFC 8707 needs one, e.g. urn:my-api or https://api.example.com/)`,
    });
  } else if (api.identifier.includes('#')) {
    problems.push({ path: `${path}.identifier`, message: 'must not contain a fragment (#)' });
  }
  if (!api.name.trim()) problems.push({ path: `${path}.name`, message: 'must not be empty' });
  const scopes = Object.keys(api.scopes);
  if (scopes.length === 0) {
    problems.push({ path: `${path}.scopes`, message: 'an API needs at least one scope' });
  }
  for (const scope of scopes) {
    if (!SCOPE_TOKEN.test(scope)) {
      problems.push({
        path: `${path}.scopes`,
        message: `"${scope}" is not a valid scope name (no spaces, quotes or backslashes)`,
      });
    }
  }
  if (!Number.isSafeInteger(api.tokenLifetimeSeconds) || api.tokenLifetimeSeconds <= 0) {
    problems.push({
      path: `${path}.tokenLifetimeSeconds`,
      message: `must be a positive whole number of seconds (got ${String(api.tokenLifetimeSeconds)})`,
    });
  }
}

function checkClient(
  client: ClientDefinition,
  path: string,
  apis: ReadonlyMap<string, ApiDefinition>,
  problems: RegistryProblem[],
): void {
  if (!CLIENT_ID.test(client.id)) {
    problems.push({
      path: `${path}.id`,
      message: `"${client.id}" must be letters, digits, ".", "_", "~" or "-"`,
    });
  }
  if (!ENV_NAME.test(client.secretEnv)) {
    problems.push({
      path: `${path}.secretEnv`,
      message: `"${client.secretEnv}" is not an environment variable name (e.g. MY_CLIENT_SECRET)`,
    });
  }
  const grants = Object.entries(client.grants);
  if (grants.length === 0 && client.enabled) {
    problems.push({
      path: `${path}.grants`,
      message: 'an enabled client needs at least one grant',
    });
  }
  for (const [identifier, scopes] of grants) {
    const api = apis.get(identifier);
    if (!api) {
      problems.push({
        path: `${path}.grants`,
        message: `unknown API "${identifier}" (known: ${[...apis.keys()].join(', ') || 'none'})`,
      });
      continue;
    }
    if (scopes.length === 0) {
      problems.push({
        path: `${path}.grants["${identifier}"]`,
        message: 'grants no scope; remove the grant or list at least one scope',
      });
    }
    const unknown = scopes.filter((scope) => !(scope in api.scopes));
    if (unknown.length > 0) {
      problems.push({
        path: `${path}.grants["${identifier}"]`,
        message: `unknown scope${unknown.length === 1 ? '' : 's'} ${unknown.map((s) => `"${s}"`).join(', ')} (${identifier} defines ${Object.keys(api.scopes).join(', ')})`,
      });
    }
  }
}

/**
 * Validates the registry and attaches each client's secret, read from the variable the client
 * names. Reports every problem together in a {@link RegistryError}: duplicate ids, unknown APIs
 * or scopes in grants, invalid identifiers, missing secrets (never their values).
 */
export function validateRegistry(
  registry: Registry,
  secrets: Readonly<Record<string, string | undefined>>,
): ResolvedRegistry {
  const problems: RegistryProblem[] = [];
  const apis = new Map<string, ApiDefinition>();
  registry.apis.forEach((api, index) => {
    const path = `apis[${index}] (${api.identifier})`;
    if (apis.has(api.identifier)) {
      problems.push({ path, message: `duplicate API identifier "${api.identifier}"` });
      return;
    }
    checkApi(api, path, problems);
    apis.set(api.identifier, api);
  });

  const clients = new Map<string, ResolvedClient>();
  registry.clients.forEach((client, index) => {
    const path = `clients[${index}] (${client.id})`;
    if (clients.has(client.id)) {
      problems.push({ path, message: `duplicate client id "${client.id}"` });
      return;
    }
    checkClient(client, path, apis, problems);
    let secret = secrets[client.secretEnv];
    if ((secret === undefined || secret === '') && !client.enabled) {
      // A disabled client gets no token anyway; without a secret it cannot even authenticate.
      secret = randomBytes(32).toString('base64url');
    }
    if (secret === undefined || secret === '') {
      problems.push({
        path: `${path}.secretEnv`,
        message: `missing secret: set ${client.secretEnv} in the environment or the root .env`,
      });
    }
    clients.set(client.id, { ...client, secret: secret ?? '' });
  });

  if (problems.length > 0) throw new RegistryError(problems);
  return { apis, clients, maxTokenLifetimeSeconds: maxTokenLifetimeSeconds(apis.values()) };
}
