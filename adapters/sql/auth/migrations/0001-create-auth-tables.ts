import type { Kysely, Migration } from 'kysely';
import { executeStatements } from '../../run-migrations.js';

/**
 * Users, their sessions and their resource grants. Ids sort by code unit (`COLLATE "C"`), as the
 * ports promise; emails are unique by their normalised form; sessions and grants belong to a user.
 */
export const createAuthTables: Migration = {
  up: async (db: Kysely<unknown>) =>
    executeStatements(db, [
      `CREATE TABLE users (
        id text COLLATE "C" PRIMARY KEY,
        email text NOT NULL,
        email_key text NOT NULL,
        name text NOT NULL,
        password_hash text NOT NULL,
        roles text[] NOT NULL CHECK (roles <@ ARRAY['user', 'admin']::text[]),
        is_active boolean NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        last_login_at bigint,
        version integer NOT NULL CHECK (version >= 1),
        CONSTRAINT users_email_key_unique UNIQUE (email_key)
      )`,
      `CREATE TABLE sessions (
        id text COLLATE "C" PRIMARY KEY,
        user_id text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        revoked_at bigint
      )`,
      'CREATE INDEX sessions_live_by_user ON sessions (user_id) WHERE revoked_at IS NULL',
      `CREATE TABLE resource_grants (
        user_id text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        resource_id text COLLATE "C" NOT NULL,
        role text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
        PRIMARY KEY (user_id, resource_id)
      )`,
      'CREATE INDEX resource_grants_by_resource ON resource_grants (resource_id, user_id)',
    ]),
};
