import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type OperationNodeSource, type RawBuilder } from 'kysely';
import type { OutboxEntry, OutboxMessage, OutboxStore, OutboxWork } from '../../../core/messaging/outbox.js';
import type { Clock } from '../../../core/shared/clock.js';
import { currentTraceparent, runDetached } from '../../observability/trace-context-scope.js';
import type { OutboxTables } from './outbox-table.js';

/** What a write records of the write being served besides its messages: its idempotency key (docs/adr/0058). */
export interface WriteKeyRecorder {
  /** Records it in the caller's transaction `trx`, with what the write stored (`written`), when there is one to record. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  recordInTransaction(trx: Kysely<any>, written?: unknown): Promise<void>;
  /**
   * Records it in the write's own statement (docs/adr/0076), when the CTE `gate` returns a row: the
   * CTEs to add to the statement, and what to do once it ran or failed; undefined when there is none to record.
   */
  recordInStatement(gate: string, written?: unknown): KeyInStatement | undefined;
}

export interface KeyInStatement {
  /** `, name AS (...)`, as many as it takes. */
  readonly ctes: RawBuilder<unknown>;
  /** The statement ran: the key is recorded if its gate returned a row. */
  stored(gated: boolean): void;
  /** The statement failed with `error`: throws the error to answer (the key in use, or `error`). */
  failed(error: unknown): never;
}

export interface SqlOutboxOptions {
  /** How long a relay holds the entries it was handed; past it another relay may send them again. Default 60 s. */
  readonly leaseMs?: number;
  readonly clock?: Clock;
  /**
   * Also records, in every write that records (or could record) messages, the key of the write
   * being served there, with what the write stored when the repository says: the service's
   * idempotency store (docs/adr/0058).
   */
  readonly keys?: WriteKeyRecorder;
}

/** A data-modifying statement (`INSERT ... RETURNING`, `DELETE ... RETURNING`: returning a row for each row it changed, when it comes first). */
export type ChangeStatement = OperationNodeSource;

/**
 * The outbox table of one service schema (docs/adr/0038). Repositories call `record` inside the
 * transaction of their change and `recorded` after its commit, or hand a write that needs no
 * transaction to `writeWith` (docs/adr/0076). Relays claim entries with a lease
 * (`FOR UPDATE SKIP LOCKED` in a short transaction) and send them outside any transaction, so a
 * slow or absent Redis never holds a PostgreSQL connection or PGlite's one session.
 */
export class SqlOutbox implements OutboxStore {
  private readonly db: Kysely<OutboxTables>;
  private readonly listeners = new Set<() => void>();
  private readonly leaseMs: number;
  private readonly clock: Clock;
  private readonly keys: WriteKeyRecorder | undefined;

  // Any service's tables: each schema has its `outbox`.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(db: Kysely<any>, options: SqlOutboxOptions = {}) {
    this.db = db as Kysely<OutboxTables>;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.keys = options.keys;
  }

  /**
   * Records `messages` about `aggregate` in the caller's transaction `trx`, and the key of the write
   * being served there (`keys`) with `written`, the domain value the write stored (when given). Each
   * entry keeps the trace of the work recording it (docs/adr/0048).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async record(trx: Kysely<any>, aggregate: string, messages: readonly OutboxMessage[], written?: unknown): Promise<void> {
    await this.keys?.recordInTransaction(trx, written);
    if (messages.length === 0) return;
    const recordedAt = this.clock.now();
    const traceparent = currentTraceparent() ?? null;
    await (trx as Kysely<OutboxTables>)
      .insertInto('outbox')
      .values(
        messages.map((message) => ({
          id: randomUUID(),
          aggregate,
          message: JSON.stringify(message),
          recorded_at: recordedAt,
          traceparent,
        })),
      )
      .execute();
  }

  /**
   * Runs `changes` (the first one returning a row when it changed something: `changed`) and records
   * `messages` about `aggregate`, and the key of the write being served (`keys`, with `written`),
   * when it did: all or nothing, in one statement (docs/adr/0076), `WITH changed AS (...), ...
   * INSERT INTO outbox ... WHERE EXISTS (SELECT 1 FROM changed)`, atomic without BEGIN and COMMIT:
   * one round trip where a transaction takes four or five. Wakes the relays once the entries are
   * stored. Resolves whether the first change changed a row.
   */
  async writeWith(
    changes: readonly [ChangeStatement, ...ChangeStatement[]],
    aggregate: string,
    messages: readonly OutboxMessage[],
    written?: unknown,
  ): Promise<boolean> {
    const [first, ...rest] = changes;
    const key = this.keys?.recordInStatement('changed', written);
    let changed: boolean;
    try {
      const { rows } = await sql<{ changed: number }>`
        WITH changed AS (${first})${sql.join(
          rest.map((change, index) => sql`, ${sql.ref(`also_${index}`)} AS (${change})`),
          sql``,
        )}${this.entriesAfter('changed', aggregate, messages)}${key?.ctes ?? sql``}
        SELECT count(*)::int AS changed FROM changed`.execute(this.db);
      changed = Number(rows[0]?.changed ?? 0) > 0;
    } catch (error) {
      if (key) key.failed(error);
      throw error;
    }
    key?.stored(changed);
    if (changed) this.recorded(messages);
    return changed;
  }

  /** `, recorded AS (INSERT INTO outbox ...)` writing the entries of `messages` in their order when `cte` returned a row; nothing without messages. */
  private entriesAfter(cte: string, aggregate: string, messages: readonly OutboxMessage[]) {
    if (messages.length === 0) return sql``;
    const recordedAt = this.clock.now();
    const traceparent = currentTraceparent() ?? null;
    // Typed: parameters in VALUES would otherwise be text, which a bigint or jsonb column refuses.
    const rows = messages.map((message, position) => sql`(${randomUUID()}::text, ${JSON.stringify(message)}::jsonb, ${position}::int)`);
    return sql`, recorded AS (
        INSERT INTO outbox (id, aggregate, message, recorded_at, traceparent)
        SELECT entry.id, ${aggregate}::text, entry.message, ${recordedAt}::bigint, ${traceparent}::text
        FROM (VALUES ${sql.join(rows)}) AS entry (id, message, position)
        WHERE EXISTS (SELECT 1 FROM ${sql.ref(cte)})
        ORDER BY entry.position)`;
  }

  /**
   * Call after the commit of a transaction that recorded `messages`: wakes the relays of this
   * process. The round they start is not part of the request that committed (its entries carry
   * their own traces), so it runs outside that request's scope.
   */
  recorded(messages: readonly OutboxMessage[]): void {
    if (messages.length > 0) runDetached(() => this.listeners.forEach((listener) => listener()));
  }

  async relay(limit: number, work: OutboxWork): Promise<number> {
    const now = this.clock.now();
    const claimed = await sql<{
      seq: number | string;
      id: string;
      aggregate: string;
      message: OutboxMessage | string;
      recorded_at: number | string;
      traceparent: string | null;
    }>`
      UPDATE outbox SET lease_until = ${now + this.leaseMs}
      WHERE seq IN (
        SELECT o.seq FROM outbox o
        WHERE o.sent_at IS NULL AND (o.lease_until IS NULL OR o.lease_until < ${now})
          AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.aggregate = o.aggregate AND e.sent_at IS NULL AND e.seq < o.seq)
        ORDER BY o.seq
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      RETURNING seq, id, aggregate, message, recorded_at, traceparent`.execute(this.db);
    if (claimed.rows.length === 0) return 0;
    // RETURNING follows no order: restore the recording order.
    const rows = [...claimed.rows].sort((a, b) => Number(a.seq) - Number(b.seq));
    const entries: OutboxEntry[] = rows.map((row) => ({
      id: row.id,
      aggregate: row.aggregate,
      message: typeof row.message === 'string' ? (JSON.parse(row.message) as OutboxMessage) : row.message,
      recordedAt: Number(row.recorded_at),
      ...(row.traceparent !== null && { context: row.traceparent }),
    }));
    const ids = entries.map((entry) => entry.id);
    let sent: readonly string[] = [];
    try {
      sent = await work(entries);
    } finally {
      const sentIds = ids.filter((id) => sent.includes(id));
      const unsent = ids.filter((id) => !sent.includes(id));
      if (sentIds.length > 0) {
        await this.db.updateTable('outbox').set({ sent_at: this.clock.now(), lease_until: null }).where('id', 'in', sentIds).execute();
      }
      if (unsent.length > 0) await this.db.updateTable('outbox').set({ lease_until: null }).where('id', 'in', unsent).execute();
    }
    return entries.length;
  }

  async pruneSent(sentBefore: number): Promise<number> {
    const deleted = await this.db.deleteFrom('outbox').where('sent_at', '<', sentBefore).executeTakeFirst();
    return Number(deleted.numDeletedRows);
  }

  async pendingCount(): Promise<number> {
    const row = await this.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('sent_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  onRecorded(listener: () => void): () => void {
    const once = () => listener();
    this.listeners.add(once);
    return () => this.listeners.delete(once);
  }
}
