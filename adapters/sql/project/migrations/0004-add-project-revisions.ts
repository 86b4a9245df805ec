import type { Kysely, Migration } from 'kysely';
import { executeStatements } from '../../run-migrations.js';

/** The last change of each editable path of a project, for collaborative edits (docs/adr/0050). */
export const addProjectRevisions: Migration = {
  up: async (db: Kysely<unknown>) =>
    executeStatements(db, [`ALTER TABLE projects ADD COLUMN revisions jsonb NOT NULL DEFAULT '{}'::jsonb`]),
};
