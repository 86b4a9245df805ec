import type { Kysely, Migration } from 'kysely';
import { executeStatements } from '../run-migrations.js';

/** The `idempotency_keys` table of a service schema (docs/adr/0058). Times are epoch ms (BIGINT). */
export interface IdempotencyTables {
  idempotency_keys: IdempotencyKeyTable;
}

export interface IdempotencyKeyTable {
  key: string;
  fingerprint: string;
  /** Null between the commit of the write and the answer being stored. */
  outcome: string | null;
  created_at: number;
  expires_at: number;
}

/** The same migration in the auth, project and simulation schemas. */
export const createIdempotencyKeys: Migration = {
  up: async (db: Kysely<unknown>) =>
    executeStatements(db, [
      `CREATE TABLE idempotency_keys (
        key text COLLATE "C" PRIMARY KEY,
        fingerprint text NOT NULL,
        outcome text,
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL
      )`,
      'CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at)',
    ]),
};
