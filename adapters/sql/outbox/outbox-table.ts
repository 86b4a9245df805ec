import type { ColumnType, Generated, Kysely, Migration } from 'kysely';
import type { OutboxMessage } from '../../../core/messaging/outbox.js';
import { executeStatements } from '../run-migrations.js';

/** The `outbox` table every service schema has (docs/adr/0038). Times are epoch ms (BIGINT). */
export interface OutboxTables {
  outbox: OutboxTable;
}

export interface OutboxTable {
  /** Identity: recording order, which within one aggregate is commit order (the aggregate's row is written first). */
  seq: Generated<number>;
  id: string;
  aggregate: string;
  message: ColumnType<OutboxMessage, string, string>;
  recorded_at: number;
  /** Null while pending. */
  sent_at: number | null;
  /** A relay holds the entry until then; null or past when nobody does. */
  lease_until: number | null;
  /** The W3C traceparent of the work that recorded the entry (docs/adr/0048); null outside a trace. */
  traceparent: string | null;
}

/** The same migration in the auth, project and simulation schemas. */
export const createOutbox: Migration = {
  up: async (db: Kysely<unknown>) =>
    executeStatements(db, [
      `CREATE TABLE outbox (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text COLLATE "C" NOT NULL UNIQUE,
        aggregate text COLLATE "C" NOT NULL,
        message jsonb NOT NULL,
        recorded_at bigint NOT NULL,
        sent_at bigint,
        lease_until bigint
      )`,
      'CREATE INDEX outbox_pending ON outbox (seq) WHERE sent_at IS NULL',
      'CREATE INDEX outbox_pending_by_aggregate ON outbox (aggregate, seq) WHERE sent_at IS NULL',
      'CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL',
    ]),
};

/** The trace an entry was recorded in (docs/adr/0048), in the auth, project and simulation schemas. */
export const addOutboxTraceparent: Migration = {
  up: async (db: Kysely<unknown>) => executeStatements(db, ['ALTER TABLE outbox ADD COLUMN traceparent text']),
};
