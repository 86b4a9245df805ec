import { afterAll, beforeAll } from 'vitest';
import { sql, type Kysely } from 'kysely';
import type { ServiceDatabase } from '../../adapters/sql/database.js';
import type { ServiceTables, SqlService } from '../../adapters/sql/sql-services.js';
import type { BackendDatabase, SqlBackend } from './sql-backends.js';

/** A lease on the shared database for one fixture of a suite. */
export interface DatabaseLease {
  close(): Promise<void>;
}

/** One migrated database for a whole test file (opening PGlite or creating a database costs ~1 s). */
export interface SharedDatabase<Tables> {
  readonly service: SqlService;
  readonly database: ServiceDatabase<Tables>;
  readonly db: Kysely<Tables>;
  /** What the first `migrate()` applied to the empty database. */
  readonly appliedAtOpen: readonly string[];
  /**
   * A lease for a fixture that must start on empty tables: the tables are emptied when no other
   * lease is open (a test that builds a second harness shares the first one's data).
   */
  lease(): Promise<DatabaseLease>;
}

/** Opens and migrates the database before the file's tests and disposes of it after them. */
export const useSharedDatabase = <S extends SqlService>(backend: SqlBackend, service: S): SharedDatabase<ServiceTables[S]> => {
  let opened: BackendDatabase<ServiceTables[S]> | undefined;
  let applied: readonly string[] = [];
  let tables: readonly string[] = [];
  let leases = 0;

  beforeAll(async () => {
    const backendDatabase = await backend.open(service);
    opened = backendDatabase;
    applied = await backendDatabase.database.migrate();
    tables = await tablesOf(backendDatabase.database.db, service);
  }, 60_000);
  afterAll(async () => {
    await opened?.dispose();
  }, 60_000);

  const database = (): ServiceDatabase<ServiceTables[S]> => {
    if (!opened) throw new Error(`the ${service} database is not open: use it inside tests and hooks only`);
    return opened.database;
  };

  return {
    service,
    get database() {
      return database();
    },
    get db() {
      return database().db;
    },
    get appliedAtOpen() {
      return applied;
    },
    lease: async () => {
      if (leases === 0) await emptyTables(database().db, tables);
      leases += 1;
      let closed = false;
      return {
        close: async () => {
          if (closed) return;
          closed = true;
          leases -= 1;
        },
      };
    },
  };
};

/**
 * Deletes every row. DELETE, not TRUNCATE: on a few rows it takes a millisecond where TRUNCATE takes
 * tens (new files for every table), and each test starts with it. The foreign keys cascade, so the
 * order does not matter.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const emptyTables = async (db: Kysely<any>, tables: readonly string[]): Promise<void> => {
  for (const table of tables) await sql`DELETE FROM ${sql.table(table)}`.execute(db);
};

/** The service's tables, without kysely's migration bookkeeping. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const tablesOf = async (db: Kysely<any>, schema: string): Promise<string[]> => {
  const { rows } = await sql<{ tablename: string }>`
    SELECT tablename FROM pg_tables WHERE schemaname = ${schema} AND NOT starts_with(tablename, 'kysely_') ORDER BY tablename`.execute(db);
  return rows.map((row) => row.tablename);
};
