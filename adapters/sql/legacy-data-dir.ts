import { access, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Kysely } from 'kysely';
import type { Logger } from '../observability/logger.js';
import { PGliteDialect } from './pglite-dialect.js';
import { runMigrations } from './run-migrations.js';
import { quoteIdentifier, SharedPGlite } from './shared-pglite.js';
import { ServiceMigrations, type SqlService } from './sql-services.js';

/** What became of a service's data directory from the per-service layout (docs/adr/0071). */
export type LegacyOutcome = { readonly moved: false } | { readonly moved: true; readonly rows: number; readonly keptAt: string };

/** The name the per-service directory gets once its data is in the shared database; never deleted. */
export const movedDirectoryName = (legacyDir: string): string => `${legacyDir}.moved`;

/**
 * Moves `service`'s data from its own PGlite directory of earlier versions (`DATA_DIR/<service>`)
 * into its schema in the process's shared PGlite (`DATA_DIR/pglite`), once: both are migrated to
 * the latest schema, every table is copied (COPY, in one transaction, foreign keys checked by the
 * data's origin, identity sequences carried over), the row counts compared, and the old directory
 * renamed to `<service>.moved` (kept, never deleted). Nothing happens without an old directory.
 * Refuses, with the command to run, when the shared database already has tables of that service:
 * which copy is current is then for a person to say.
 */
export const adoptLegacyDataDir = async (
  shared: SharedPGlite,
  service: SqlService,
  legacyDir: string,
  logger: Logger,
): Promise<LegacyOutcome> => {
  if (!(await exists(join(legacyDir, 'PG_VERSION')))) return { moved: false };
  if ((await holding(shared, service, () => tablesIn(shared, service))).length > 0) {
    throw new Error(
      `${legacyDir} holds ${service}'s embedded database from an earlier version, and ${shared.location} already has ` +
        `${service}'s tables. Keep one: to keep ${shared.location}, run \`mv ${legacyDir} ${movedDirectoryName(legacyDir)}\`; ` +
        `to take ${legacyDir} again, stop the mesh, set ${shared.location} aside (\`mv ${shared.location} ${shared.location}.aside\`) and start.`,
    );
  }
  logger.info({ from: legacyDir, to: shared.location }, 'moving the data of an earlier per-service data directory');
  const legacy = await SharedPGlite.open(legacyDir);
  legacy.retain();
  const legacyDb = new Kysely<unknown>({ dialect: new PGliteDialect(legacy, service) });
  const sharedDb = new Kysely<unknown>({ dialect: new PGliteDialect(shared, service) });
  shared.retain();
  let rows = 0;
  try {
    await runMigrations(legacyDb, service, ServiceMigrations[service]);
    await runMigrations(sharedDb, service, ServiceMigrations[service]);
    const tables = await tablesIn(legacy, service);
    const copies: { table: string; blob: Blob; rows: number }[] = [];
    for (const table of tables) {
      const { blob, affectedRows } = await legacy.pglite.query(`COPY ${qualified(service, table)} TO '/dev/blob'`);
      copies.push({ table, blob: blob ?? new Blob([]), rows: affectedRows ?? 0 });
    }
    const sequences = await sequencesIn(legacy, service);
    await holding(shared, service, async () => {
      await shared.pglite.exec('BEGIN');
      try {
        // Foreign keys held where the rows come from; triggers off so the tables load in any order.
        await shared.pglite.exec('SET LOCAL session_replication_role = replica');
        for (const { table, blob, rows: expected } of copies) {
          const loaded = await shared.pglite.query(`COPY ${qualified(service, table)} FROM '/dev/blob'`, [], { blob });
          if ((loaded.affectedRows ?? 0) !== expected) {
            throw new Error(`copying ${service}.${table} loaded ${loaded.affectedRows} rows of ${expected}`);
          }
          rows += expected;
        }
        for (const sequence of sequences) {
          await shared.pglite.query('SELECT setval($1::regclass, $2::bigint, $3::boolean)', [
            sequence.name,
            sequence.lastValue,
            sequence.isCalled,
          ]);
        }
        await shared.pglite.exec('COMMIT');
      } catch (error) {
        await shared.pglite.exec('ROLLBACK');
        throw error;
      }
    });
  } finally {
    await sharedDb.destroy();
    await legacyDb.destroy();
  }
  const keptAt = movedDirectoryName(legacyDir);
  await rename(legacyDir, keptAt);
  logger.info({ rows, keptAt }, 'data moved into the shared embedded database; the old directory is kept, renamed');
  return { moved: true, rows, keptAt };
};

/** Runs `work` holding the shared session (the other services' statements wait). */
const holding = async <T>(database: SharedPGlite, schema: string, work: () => Promise<T>): Promise<T> => {
  await database.acquire(schema);
  try {
    return await work();
  } finally {
    database.unlock();
  }
};

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

const qualified = (schema: string, table: string): string => `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;

/** The schema's tables, kysely's migration bookkeeping left out (each side keeps its own). */
const tablesIn = async (database: SharedPGlite, schema: string): Promise<string[]> => {
  const { rows } = await database.pglite.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = $1 AND NOT starts_with(tablename, 'kysely_') ORDER BY tablename",
    [schema],
  );
  return rows.map((row) => row.tablename);
};

interface SequenceState {
  readonly name: string;
  readonly lastValue: string;
  readonly isCalled: boolean;
}

/** The schema's sequences (identity columns) and where each stands. */
const sequencesIn = async (database: SharedPGlite, schema: string): Promise<SequenceState[]> => {
  const { rows } = await database.pglite.query<{ name: string }>(
    'SELECT quote_ident(schemaname) || $2 || quote_ident(sequencename) AS name FROM pg_sequences WHERE schemaname = $1 ORDER BY 1',
    [schema, '.'],
  );
  const states: SequenceState[] = [];
  for (const { name } of rows) {
    const { rows: state } = await database.pglite.query<{ last_value: string; is_called: boolean }>(
      `SELECT last_value::text AS last_value, is_called FROM ${name}`,
    );
    states.push({ name, lastValue: state[0]!.last_value, isCalled: state[0]!.is_called });
  }
  return states;
};
