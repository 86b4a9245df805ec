import type { Kysely } from 'kysely';
import type { Session } from '../../../core/auth/model.js';
import type { SessionRepository } from '../../../core/auth/ports.js';
import type { AuthTables, SessionRow } from './auth-tables.js';

/** SessionRepository on the auth schema. A session belongs to a stored user (foreign key). */
export class SqlSessionRepository implements SessionRepository {
  constructor(private readonly db: Kysely<AuthTables>) {}

  async create(session: Session): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        id: session.id,
        user_id: session.userId,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
        revoked_at: session.revokedAt,
      })
      .execute();
  }

  async findById(id: string): Promise<Session | undefined> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromSessionRow(row);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
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
