import type { Kysely, Migration } from 'kysely';
import { executeStatements } from '../../run-migrations.js';

/**
 * Exports a user asked for, with their file once rendered. The subject (a simulation or a project)
 * is referenced by id only: simulations live in another service's database.
 */
export const createExports: Migration = {
  up: async (db: Kysely<unknown>) =>
    executeStatements(db, [
      `CREATE TABLE exports (
        id text COLLATE "C" PRIMARY KEY,
        user_id text COLLATE "C" NOT NULL,
        kind text NOT NULL CHECK (kind IN ('simulation_results', 'project_report')),
        format text NOT NULL CHECK (format IN ('json', 'csv')),
        subject_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'ready', 'failed')),
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        file_name text,
        content_type text,
        content text,
        failure_code text,
        failure_message text,
        CONSTRAINT exports_file_complete CHECK (num_nulls(file_name, content_type, content) IN (0, 3)),
        CONSTRAINT exports_failure_complete CHECK (num_nulls(failure_code, failure_message) IN (0, 2))
      )`,
      'CREATE INDEX exports_by_expiry ON exports (expires_at)',
    ]),
};
