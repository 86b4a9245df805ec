import { sql, type Kysely } from 'kysely';
import { IdempotencyFailures } from '../../../core/idempotency/errors.js';
import type { IdempotencyStore, RememberedWrite } from '../../../core/idempotency/ports.js';
import type { Clock } from '../../../core/shared/clock.js';
import { DomainFailureError } from '../../../core/shared/errors.js';
import { writeScopeOf } from '../../idempotency/write-scope.js';
import type { KeyInStatement, WriteKeyRecorder } from '../outbox/sql-outbox.js';
import { isSqlError, SqlState } from '../sql-errors.js';
import type { IdempotencyTables } from './idempotency-table.js';

/** A key's insert over an existing row: it takes the row over only once that row's key has expired (a live key is another attempt's). */
const TAKE_OVER_EXPIRED = sql`ON CONFLICT (key) DO UPDATE
  SET fingerprint = EXCLUDED.fingerprint, outcome = EXCLUDED.outcome, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
  WHERE idempotency_keys.expires_at <= EXCLUDED.created_at`;

export interface SqlIdempotencyStoreOptions {
  /** How long a key recorded by a write's transaction is kept (the outcome's own expiry replaces it). */
  readonly retentionMs: number;
  readonly clock: Clock;
}

/**
 * Idempotency keys in the service's schema (docs/adr/0058). Besides the port, it is the outbox's
 * `keys` recorder: every write that records outbox messages (SqlOutbox) writes the key of the write
 * being served with it, in that same transaction (`recordInTransaction`) or statement
 * (`recordInStatement`, docs/adr/0076), so the key exists exactly when the write does. A second
 * attempt's insert waits for the first one's; if that committed, the second attempt's write is
 * rolled back and it answers with the first one's outcome.
 */
export class SqlIdempotencyStore implements IdempotencyStore, WriteKeyRecorder {
  private readonly db: Kysely<IdempotencyTables>;

  // Any service's tables: each schema that serves idempotent writes has `idempotency_keys`.
  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    db: Kysely<any>,
    private readonly options: SqlIdempotencyStoreOptions,
  ) {
    this.db = db as Kysely<IdempotencyTables>;
  }

  async find(key: string, now: number): Promise<RememberedWrite | undefined> {
    const row = await this.db
      .selectFrom('idempotency_keys')
      .select(['fingerprint', 'outcome'])
      .where('key', '=', key)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (!row) return undefined;
    return row.outcome === null ? { fingerprint: row.fingerprint } : { fingerprint: row.fingerprint, outcome: row.outcome };
  }

  async remember(key: string, fingerprint: string, outcome: string, now: number, expiresAt: number): Promise<void> {
    await sql`
      INSERT INTO idempotency_keys (key, fingerprint, outcome, created_at, expires_at)
      VALUES (${key}, ${fingerprint}, ${outcome}, ${now}, ${expiresAt})
      ON CONFLICT (key) DO UPDATE
        SET fingerprint = EXCLUDED.fingerprint, outcome = EXCLUDED.outcome, expires_at = EXCLUDED.expires_at
        WHERE idempotency_keys.expires_at <= EXCLUDED.created_at
          OR (idempotency_keys.outcome IS NULL AND idempotency_keys.fingerprint = EXCLUDED.fingerprint)`.execute(this.db);
  }

  async prune(now: number): Promise<number> {
    const deleted = await this.db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).executeTakeFirst();
    return Number(deleted.numDeletedRows);
  }

  /**
   * Records the key of the write being served (if any, and if not yet) in the caller's transaction
   * `trx`, with its answer when it follows from `written` (the scope's `answerFromWrite`). Throws
   * `idempotency_key_in_use` when another attempt committed the key first, which rolls the caller's
   * transaction back.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async recordInTransaction(trx: Kysely<any>, written?: unknown): Promise<void> {
    const scope = writeScopeOf(this);
    if (!scope || scope.recorded) return;
    const now = this.options.clock.now();
    const outcome = written !== undefined && scope.answerFromWrite ? scope.answerFromWrite(written) : null;
    const recorded = await sql<{ key: string }>`
      INSERT INTO idempotency_keys (key, fingerprint, outcome, created_at, expires_at)
      VALUES (${scope.key}, ${scope.fingerprint}, ${outcome}, ${now}, ${now + this.options.retentionMs})
      ${TAKE_OVER_EXPIRED}
      RETURNING key`.execute(trx);
    if (recorded.rows.length === 0) {
      scope.taken = true;
      throw new DomainFailureError(IdempotencyFailures.inUse());
    }
    scope.recorded = true;
  }

  /**
   * The key of the write being served (if any, and if not yet), recorded by the write's own
   * statement when its CTE `gate` returns a row (docs/adr/0076), with its answer as
   * `recordInTransaction` records it. When another attempt committed the key first, the second CTE
   * inserts it again, and the unique violation aborts the whole statement: nothing of the write is
   * stored, and it answers `idempotency_key_in_use`.
   */
  recordInStatement(gate: string, written?: unknown): KeyInStatement | undefined {
    const scope = writeScopeOf(this);
    if (!scope || scope.recorded) return undefined;
    const now = this.options.clock.now();
    const outcome = written !== undefined && scope.answerFromWrite ? scope.answerFromWrite(written) : null;
    const gated = sql`EXISTS (SELECT 1 FROM ${sql.ref(gate)})`;
    // Typed: a parameter in INSERT ... SELECT is otherwise text, which a bigint column refuses.
    return {
      ctes: sql`, recorded_key AS (
          INSERT INTO idempotency_keys (key, fingerprint, outcome, created_at, expires_at)
          SELECT ${scope.key}::text, ${scope.fingerprint}::text, ${outcome}::text, ${now}::bigint, ${now + this.options.retentionMs}::bigint
          WHERE ${gated}
          ${TAKE_OVER_EXPIRED}
          RETURNING key),
        key_in_use AS (
          INSERT INTO idempotency_keys (key, fingerprint, created_at, expires_at)
          SELECT ${scope.key}::text, ${scope.fingerprint}::text, 0, 0
          WHERE ${gated} AND NOT EXISTS (SELECT 1 FROM recorded_key))`,
      stored: (recorded) => {
        if (recorded) scope.recorded = true;
      },
      failed: (error) => {
        if (isSqlError(error, SqlState.uniqueViolation, 'idempotency_keys_pkey')) {
          scope.taken = true;
          throw new DomainFailureError(IdempotencyFailures.inUse());
        }
        throw error;
      },
    };
  }
}
