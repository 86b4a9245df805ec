import type { Kysely, Migration } from 'kysely';
import { executeStatements } from '../../run-migrations.js';

/**
 * The administrators' audit log and the announcements (docs/adr/0054). Audit entries are append
 * only and name users by id without a foreign key: an entry outlives the user it is about.
 */
export const createAdminTables: Migration = {
  up: async (db: Kysely<unknown>) =>
    executeStatements(db, [
      `CREATE TABLE audit_log (
        id text COLLATE "C" PRIMARY KEY,
        at bigint NOT NULL,
        actor_id text COLLATE "C" NOT NULL,
        action text NOT NULL,
        target_user_id text COLLATE "C",
        detail text NOT NULL
      )`,
      'CREATE INDEX audit_log_newest_first ON audit_log (at DESC, id DESC)',
      `CREATE TABLE announcements (
        id text COLLATE "C" PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('info', 'maintenance')),
        message text NOT NULL,
        starts_at bigint NOT NULL,
        ends_at bigint NOT NULL CHECK (ends_at > starts_at),
        created_by text COLLATE "C" NOT NULL,
        created_at bigint NOT NULL
      )`,
      'CREATE INDEX announcements_by_end ON announcements (ends_at)',
      'CREATE INDEX users_oldest_first ON users (created_at, id)',
    ]),
};
