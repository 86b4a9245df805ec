import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database that exists for one test file and is dropped afterwards. */
export interface PostgresDatabase {
  /** What `DATABASE_URL` would say to reach it. */
  readonly url: string;
  readonly name: string;
  /** Drops the database, ending its connections first. Idempotent. */
  drop(): Promise<void>;
}

/**
 * Where throwaway databases come from: here a PostgreSQL server on this machine; where Docker
 * exists, an implementation on testcontainers can take its place.
 */
export interface PostgresProvider {
  createDatabase(label: string): Promise<PostgresDatabase>;
}

/** The server the tests use: `TEST_POSTGRES_URL`, else 127.0.0.1:5432 as `postgres` (trust auth). */
export const testPostgresAdminUrl = (): string =>
  process.env.TEST_POSTGRES_URL ??
  `postgres://${process.env.PGUSER ?? 'postgres'}@${process.env.PGHOST ?? '127.0.0.1'}:${process.env.PGPORT ?? '5432'}/postgres`;

const Prefix = 'meshwork_test_';

/**
 * Databases on a running PostgreSQL server, named `meshwork_test_<pid>_<label>_<random>`. Before
 * creating one on a server of this machine, it drops those left by test processes that died
 * without cleaning up.
 * An unreachable server fails loudly, with how to start it: tests never skip silently.
 */
export const localPostgres = (adminUrl: string = testPostgresAdminUrl()): PostgresProvider => ({
  createDatabase: async (label) => {
    const name = `${Prefix}${process.pid}_${label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .slice(0, 20)}_${randomBytes(4).toString('hex')}`;
    await withAdmin(adminUrl, async (admin) => {
      if (isThisMachine(adminUrl)) await dropLeftovers(admin);
      await admin.query(`CREATE DATABASE ${quote(name)}`);
    });
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    let dropped = false;
    return {
      url: url.toString(),
      name,
      drop: async () => {
        if (dropped) return;
        dropped = true;
        await withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`));
      },
    };
  },
});

/** A throwaway database on the test server. */
export const createThrowawayDatabase = (label: string): Promise<PostgresDatabase> => localPostgres().createDatabase(label);

const withAdmin = async <T>(adminUrl: string, use: (admin: pg.Client) => Promise<T>): Promise<T> => {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
  } catch (error) {
    await admin.end().catch(() => {});
    throw new Error(
      `PostgreSQL is not reachable at ${adminUrl} (${String(error)}). The SQL tests need it: ` +
        '`npm test` starts it (scripts/ensure-services.sh), or set TEST_POSTGRES_URL to a server that trusts the test user.',
      { cause: error },
    );
  }
  try {
    return await use(admin);
  } finally {
    await admin.end();
  }
};

const dropLeftovers = async (admin: pg.Client): Promise<void> => {
  const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [Prefix]);
  for (const { datname } of rows) {
    const pid = Number(datname.slice(Prefix.length).split('_')[0]);
    if (!Number.isInteger(pid) || isRunning(pid)) continue;
    // Another test process may be dropping the same leftover right now: that is fine.
    await admin.query(`DROP DATABASE IF EXISTS ${quote(datname)} WITH (FORCE)`).catch(() => {});
  }
};

// Process ids mean something only for a server on this machine; a shared one keeps its databases.
const isThisMachine = (url: string): boolean => {
  const host = new URL(url).hostname;
  return host === '' || host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
};

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const quote = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`;
