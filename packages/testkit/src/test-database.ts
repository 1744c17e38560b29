import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The machine's PostgreSQL (trust authentication), which the tests use over real connections. */
const SERVER = { host: '127.0.0.1', port: 5432 };
/** Debian's superuser, or the root role some machines have instead. */
const ADMIN_USERS = ['postgres', 'root'];

export interface TestDatabase {
  /** `gd_test_<random>`. */
  name: string;
  /** `postgres://<admin>@127.0.0.1:5432/<name>`. */
  url: string;
  /** Drops the database, closing whatever connections are still open on it. */
  drop(): Promise<void>;
}

async function connectAdmin(): Promise<{ client: pg.Client; user: string }> {
  let lastError: unknown;
  for (const user of ADMIN_USERS) {
    const client = new pg.Client({ ...SERVER, user, database: 'postgres' });
    try {
      await client.connect();
      return { client, user };
    } catch (error) {
      lastError = error;
      // 28000: no such role; try the next name. Anything else: the server is not there.
      if ((error as { code?: unknown }).code !== '28000') break;
    }
  }
  throw new Error(
    `PostgreSQL is not answering at ${SERVER.host}:${SERVER.port} as ${ADMIN_USERS.join(' or ')} (${(lastError as Error).message}); start it with tools/e2e/scripts/ensure-services.sh`,
  );
}

/**
 * A fresh, empty database of the test's own on the machine's PostgreSQL: create it in `beforeAll`,
 * `drop()` it in `afterAll`. Fails with one clear line when PostgreSQL is not running.
 */
export async function createTestDatabase(prefix = 'gd_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const { client, user } = await connectAdmin();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return {
    name,
    url: `postgres://${user}@${SERVER.host}:${SERVER.port}/${name}`,
    async drop() {
      const admin = await connectAdmin();
      try {
        await admin.client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.client.end();
      }
    },
  };
}
