import pg from 'pg';
import { removeTestRunContainers, resolveTestServers, startPostgresContainer, testServers } from './test-servers.js';

/**
 * Vitest's global setup: decides once per run where the Redis and PostgreSQL servers come from
 * (TEST_SERVERS, test-support/test-servers.ts) and tells the test workers through the environment.
 * With containers it starts the run's one PostgreSQL container (each test file makes its own
 * databases in it, as on the local server) and, at the end, removes every container of the run.
 */
let stopPostgres: (() => Promise<void>) | undefined;

export const setup = async (): Promise<void> => {
  process.env.TEST_SERVERS = await resolveTestServers();
  process.env.MESHWORK_TEST_RUN ??= `run-${process.pid}-${Date.now()}`;
  if (testServers() !== 'containers') return;
  const started = Date.now();
  if (process.env.TEST_POSTGRES_URL === undefined) {
    const postgres = await startPostgresContainer();
    stopPostgres = postgres.stop;
    await untilAccepting(postgres.adminUrl);
    process.env.TEST_POSTGRES_URL = postgres.adminUrl;
  }
  console.log(`[test-servers] containers (testcontainers): PostgreSQL at ${process.env.TEST_POSTGRES_URL} in ${Date.now() - started} ms`);
};

export const teardown = async (): Promise<void> => {
  if (testServers() !== 'containers') return;
  await stopPostgres?.();
  const left = await removeTestRunContainers(process.env.MESHWORK_TEST_RUN!);
  if (left > 0) console.log(`[test-servers] removed ${left} container(s) a test left behind`);
};

/** The public image logs "ready" once for its init-time server too: wait until the real one takes a query. */
const untilAccepting = async (url: string): Promise<void> => {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the PostgreSQL container at ${url} took no query within 60 s`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
};
