import type { Kysely } from 'kysely';
import type { RefreshToken } from '../../../core/auth/model.js';
import type { RefreshTokenRepository } from '../../../core/auth/ports.js';
import type { AuthTables, RefreshTokensTable } from './auth-tables.js';

/** RefreshTokenRepository on the auth schema: a token belongs to a stored session (foreign key). */
export class SqlRefreshTokenRepository implements RefreshTokenRepository {
  constructor(private readonly db: Kysely<AuthTables>) {}

  async create(token: RefreshToken): Promise<void> {
    await this.db
      .insertInto('refresh_tokens')
      .values({
        digest: token.digest,
        session_id: token.sessionId,
        created_at: token.createdAt,
        expires_at: token.expiresAt,
        used_at: token.usedAt,
      })
      .execute();
  }

  async findByDigest(digest: string): Promise<RefreshToken | undefined> {
    const row = await this.db.selectFrom('refresh_tokens').selectAll().where('digest', '=', digest).executeTakeFirst();
    return row && fromRow(row);
  }

  async markUsed(digest: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('refresh_tokens')
      .set({ used_at: at })
      .where('digest', '=', digest)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}

const fromRow = (row: RefreshTokensTable): RefreshToken => ({
  digest: row.digest,
  sessionId: row.session_id,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  usedAt: row.used_at,
});
