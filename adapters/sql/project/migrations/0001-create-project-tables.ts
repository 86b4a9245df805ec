import type { Kysely, Migration } from 'kysely';
import { executeStatements } from '../../run-migrations.js';

/**
 * Projects with their shares and their collaboration session's members (both deleted with the
 * project). Ids sort by code unit (`COLLATE "C"`); the indexes serve the listing order
 * (created_at, id) descending by owner, for public projects, and the share lookup by user.
 */
export const createProjectTables: Migration = {
  up: async (db: Kysely<unknown>) =>
    executeStatements(db, [
      `CREATE TABLE projects (
        id text COLLATE "C" PRIMARY KEY,
        owner_id text COLLATE "C" NOT NULL,
        name text NOT NULL CHECK (name <> ''),
        description text NOT NULL,
        template_id text,
        configuration jsonb NOT NULL,
        is_public boolean NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'archived')),
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        version integer NOT NULL CHECK (version >= 1)
      )`,
      'CREATE INDEX projects_by_owner ON projects (owner_id, created_at DESC, id DESC)',
      'CREATE INDEX projects_public ON projects (created_at DESC, id DESC) WHERE is_public',
      `CREATE TABLE project_shares (
        project_id text COLLATE "C" NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        user_id text COLLATE "C" NOT NULL,
        role text NOT NULL CHECK (role IN ('viewer', 'editor')),
        shared_at bigint NOT NULL,
        position integer NOT NULL,
        PRIMARY KEY (project_id, user_id)
      )`,
      'CREATE INDEX project_shares_by_user ON project_shares (user_id)',
      `CREATE TABLE project_collaborators (
        project_id text COLLATE "C" NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        user_id text COLLATE "C" NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (project_id, user_id)
      )`,
    ]),
};
