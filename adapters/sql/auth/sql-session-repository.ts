import type { Kysely } from 'kysely';
import type { Session } from '../../../core/auth/model.js';
import type { SessionRepository } from '../../../core/auth/ports.js';
import type { OutboxMessage } from '../../../core/messaging/outbox.js';
import type { SqlOutbox } from '../outbox/sql-outbox.js';
import type { AuthTables, SessionRow } from './auth-tables.js';

/**
 * SessionRepository on the auth schema. A session belongs to a stored user (foreign key). Give it
 * the outbox of the user repository, so one relay sends what both record (docs/adr/0038).
 */
export class SqlSessionRepository implements SessionRepository {
  constructor(
    private readonly db: Kysely<AuthTables>,
    readonly outbox: SqlOutbox,
  ) {}

  async create(session: Session, outbox: readonly OutboxMessage[] = []): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('sessions')
        .values({
          id: session.id,
          user_id: session.userId,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
          revoked_at: session.revokedAt,
        })
        .execute();
      await this.outbox.record(trx, `user:${session.userId}`, outbox);
    });
    this.outbox.recorded(outbox);
  }

  async findById(id: string): Promise<Session | undefined> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromSessionRow(row);
  }

  async revoke(id: string, at: number, outbox: readonly OutboxMessage[] = []): Promise<boolean> {
    const revoked = await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returning('user_id')
        .executeTakeFirst();
      if (row) await this.outbox.record(trx, `user:${row.user_id}`, outbox);
      return row !== undefined;
    });
    if (revoked) this.outbox.recorded(outbox);
    return revoked;
  }

  async revokeAllForUser(userId: string, at: number, exceptSessionId?: string): Promise<number> {
    const result = await this.db
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .$if(exceptSessionId !== undefined, (query) => query.where('id', '<>', exceptSessionId!))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

const fromSessionRow = (row: SessionRow): Session => ({
  id: row.id,
  userId: row.user_id,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
});
