import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ServiceMigrations } from '../../adapters/sql/sql-services.js';
import { tablesOf, type SharedDatabase } from './shared-database.js';

/** Every service schema's migrations: from empty to latest, then idempotent. */
export const describeMigrationContract = <Tables>(
  backendName: string,
  shared: SharedDatabase<Tables>,
  expectedTables: readonly string[],
): void => {
  describe(`${shared.service} migrations on ${backendName}`, () => {
    it('bring an empty database to the latest version', async () => {
      expect(shared.appliedAtOpen).toEqual(Object.keys(ServiceMigrations[shared.service]).sort());
      expect(await tablesOf(shared.db, shared.service)).toEqual([...expectedTables].sort());
    });

    it('change nothing when run again', async () => {
      const before = await catalogOf(shared.db, shared.service);

      const applied = await shared.database.migrate();

      expect(applied).toEqual([]);
      expect(await catalogOf(shared.db, shared.service)).toEqual(before);
    });
  });
};

/** The schema's columns, constraints, indexes and recorded migrations: what a migration could change. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const catalogOf = async (db: Kysely<any>, schema: string) => {
  const columns = await sql`
    SELECT table_name, column_name, data_type, is_nullable, column_default, collation_name
    FROM information_schema.columns WHERE table_schema = ${schema} ORDER BY table_name, column_name`.execute(db);
  const constraints = await sql`
    SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition
    FROM pg_constraint WHERE connamespace = ${schema}::regnamespace ORDER BY 1, 2`.execute(db);
  const indexes = await sql`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = ${schema} ORDER BY indexname`.execute(db);
  const migrations = await sql`SELECT name FROM kysely_migration ORDER BY name`.execute(db);
  return { columns: columns.rows, constraints: constraints.rows, indexes: indexes.rows, migrations: migrations.rows };
};
