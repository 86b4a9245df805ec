import type { Kysely } from 'kysely';
import type { OutboxMessage } from '../../../core/messaging/outbox.js';
import { normaliseEmail, type User } from '../../../core/auth/model.js';
import type { UserRepository, UserWriteConflict } from '../../../core/auth/ports.js';
import { err, ok, type Result } from '../../../core/shared/result.js';
import { SqlOutbox } from '../outbox/sql-outbox.js';
import { isSqlError, SqlState } from '../sql-errors.js';
import { UserEmailUnique, type AuthTables } from './auth-tables.js';
import { fromUserRow, toUserRow } from './user-rows.js';

/**
 * UserRepository on the auth schema. Email uniqueness is the database's unique constraint on the
 * normalised email (a violation becomes `email_taken`, so concurrent creates cannot both win);
 * updates are optimistic (`WHERE id = ? AND version = ?`).
 */
export class SqlUserRepository implements UserRepository {
  constructor(
    private readonly db: Kysely<AuthTables>,
    readonly outbox: SqlOutbox = new SqlOutbox(db),
  ) {}

  async create(user: User, outbox: readonly OutboxMessage[] = []): Promise<Result<User, 'email_taken'>> {
    try {
      const row = await this.db.transaction().execute(async (trx) => {
        const inserted = await trx.insertInto('users').values(toUserRow(user)).returningAll().executeTakeFirstOrThrow();
        await this.outbox.record(trx, `user:${user.id}`, outbox);
        return inserted;
      });
      this.outbox.recorded(outbox);
      return ok(fromUserRow(row));
    } catch (error) {
      if (isSqlError(error, SqlState.uniqueViolation, UserEmailUnique)) return err('email_taken');
      throw error;
    }
  }

  async findById(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromUserRow(row);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email_key', '=', normaliseEmail(email)).executeTakeFirst();
    return row && fromUserRow(row);
  }

  async update(user: User, outbox: readonly OutboxMessage[] = []): Promise<Result<User, UserWriteConflict>> {
    const { id, version, ...fields } = toUserRow(user);
    try {
      // A plain update (a login's time stamp) needs no transaction of its own.
      const within = <T>(work: (trx: Kysely<AuthTables>) => Promise<T>): Promise<T> =>
        outbox.length === 0 ? work(this.db) : this.db.transaction().execute(work);
      const row = await within(async (trx) => {
        const updated = await trx
          .updateTable('users')
          .set({ ...fields, version: version + 1 })
          .where('id', '=', id)
          .where('version', '=', version)
          .returningAll()
          .executeTakeFirst();
        if (updated) await this.outbox.record(trx, `user:${id}`, outbox);
        return updated;
      });
      if (row) {
        this.outbox.recorded(outbox);
        return ok(fromUserRow(row));
      }
    } catch (error) {
      if (isSqlError(error, SqlState.uniqueViolation, UserEmailUnique)) return err('email_taken');
      throw error;
    }
    const exists = await this.db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst();
    return err(exists ? 'stale_version' : 'not_found');
  }
}
