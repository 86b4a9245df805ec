import type { Kysely, Migration } from 'kysely';
import { executeStatements } from '../../run-migrations.js';

/**
 * Token signing keys, shared by every auth instance through the database, and refresh tokens
 * (stored as digests), which die with their session (docs/adr/0022).
 */
export const createTokenTables: Migration = {
  up: async (db: Kysely<unknown>) =>
    executeStatements(db, [
      `CREATE TABLE signing_keys (
        kid text COLLATE "C" PRIMARY KEY,
        public_jwk text NOT NULL,
        private_key text NOT NULL,
        created_at bigint NOT NULL,
        retired_at bigint
      )`,
      `CREATE TABLE refresh_tokens (
        digest text COLLATE "C" PRIMARY KEY,
        session_id text COLLATE "C" NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        used_at bigint
      )`,
      'CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id)',
    ]),
};
