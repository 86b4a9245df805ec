import type { Kysely, Migration } from 'kysely';
import { executeStatements } from '../../run-migrations.js';

/** The version through which a project's revisions were pruned (docs/adr/0063); 0: none were. */
export const addRevisionsPrunedThrough: Migration = {
  up: async (db: Kysely<unknown>) =>
    executeStatements(db, [
      'ALTER TABLE projects ADD COLUMN revisions_pruned_through integer NOT NULL DEFAULT 0 CHECK (revisions_pruned_through >= 0)',
    ]),
};
