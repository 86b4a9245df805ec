import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { OutboxEntry, OutboxMessage, OutboxStore, OutboxWork } from '../../../core/messaging/outbox.js';
import type { Clock } from '../../../core/shared/clock.js';
import { currentTraceparent, runDetached } from '../../observability/trace-context-scope.js';
import type { OutboxTables } from './outbox-table.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TransactionHook = (trx: Kysely<any>, written?: unknown) => Promise<void>;

export interface SqlOutboxOptions {
  /** How long a relay holds the entries it was handed; past it another relay may send them again. Default 60 s. */
  readonly leaseMs?: number;
  readonly clock?: Clock;
  /**
   * Also run in every write transaction that records (or could record) messages, with what the
   * write stored when the repository says: the service's idempotency store records the key of the
   * write being served there (docs/adr/0058).
   */
  readonly inTransaction?: TransactionHook;
}

/**
 * The outbox table of one service schema (docs/adr/0038). Repositories call `record` inside the
 * transaction of their change and `recorded` after its commit. Relays claim entries with a lease
 * (`FOR UPDATE SKIP LOCKED` in a short transaction) and send them outside any transaction, so a
 * slow or absent Redis never holds a PostgreSQL connection or PGlite's one session.
 */
export class SqlOutbox implements OutboxStore {
  private readonly db: Kysely<OutboxTables>;
  private readonly listeners = new Set<() => void>();
  private readonly leaseMs: number;
  private readonly clock: Clock;
  private readonly inTransaction: TransactionHook | undefined;

  // Any service's tables: each schema has its `outbox`.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(db: Kysely<any>, options: SqlOutboxOptions = {}) {
    this.db = db as Kysely<OutboxTables>;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.inTransaction = options.inTransaction;
  }

  /**
   * Records `messages` about `aggregate` in the caller's transaction `trx`, and runs the
   * `inTransaction` hook there with `written`, the domain value the write stored (when given). Each entry keeps the trace of the work recording it (docs/adr/0048).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async record(trx: Kysely<any>, aggregate: string, messages: readonly OutboxMessage[], written?: unknown): Promise<void> {
    await this.inTransaction?.(trx, written);
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
