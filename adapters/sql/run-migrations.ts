import { Migrator, sql, type Kysely, type Migration } from 'kysely';

/** A service's migrations by name; names sort in the order they run (`NNNN-what`). */
export type MigrationSet = Readonly<Record<string, Migration>>;

/**
 * Brings `schema` up to the latest of `migrations` and resolves the names applied now (none when
 * it was up to date). Migrations come from a static record, not a directory scan, so they run
 * from `dist/` too. kysely's Migrator runs them in one transaction under a PostgreSQL advisory
 * lock, so instances starting together apply each migration once; its bookkeeping tables live in
 * `schema`. Rejects, naming the migration, when one fails: nothing of the batch is kept.
 */
export const runMigrations = async (
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  schema: string,
  migrations: MigrationSet,
): Promise<string[]> => {
  const migrator = new Migrator({ db, migrationTableSchema: schema, provider: { getMigrations: async () => migrations } });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    throw new Error(`migrating schema ${schema} failed${failed ? ` at ${failed}` : ''}: ${String(error)}`, { cause: error });
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
};

/** Runs DDL statements one by one (the extended protocol takes one statement per query). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const executeStatements = async (db: Kysely<any>, statements: readonly string[]): Promise<void> => {
  for (const statement of statements) await sql.raw(statement).execute(db);
};
