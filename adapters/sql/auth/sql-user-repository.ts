import type { Kysely } from 'kysely';
import type { OutboxMessage } from '../../../core/messaging/outbox.js';
import { normaliseEmail, type AuditEntry, type User } from '../../../core/auth/model.js';
import type { Page, PageRequest, UserCursor, UserRepository, UserWriteConflict } from '../../../core/auth/ports.js';
import { err, ok, type Result } from '../../../core/shared/result.js';
import { SqlOutbox } from '../outbox/sql-outbox.js';
import { isSqlError, SqlState } from '../sql-errors.js';
import { UserEmailUnique, type AuthTables } from './auth-tables.js';
import { SqlAuditLog } from './sql-audit-log.js';
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
    private readonly audit: SqlAuditLog = new SqlAuditLog(db),
  ) {}

  async create(user: User, outbox: readonly OutboxMessage[] = [], audit?: AuditEntry): Promise<Result<User, 'email_taken'>> {
    try {
      const row = await this.db.transaction().execute(async (trx) => {
        const inserted = await trx.insertInto('users').values(toUserRow(user)).returningAll().executeTakeFirstOrThrow();
        await this.outbox.record(trx, `user:${user.id}`, outbox);
        if (audit) await this.audit.append(trx, audit);
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

  async update(user: User, outbox: readonly OutboxMessage[] = [], audit?: AuditEntry): Promise<Result<User, UserWriteConflict>> {
    const { id, version, ...fields } = toUserRow(user);
    try {
      // A plain update (a login's time stamp) needs no transaction of its own.
      const within = <T>(work: (trx: Kysely<AuthTables>) => Promise<T>): Promise<T> =>
        outbox.length === 0 && !audit ? work(this.db) : this.db.transaction().execute(work);
      const row = await within(async (trx) => {
        const updated = await trx
          .updateTable('users')
          .set({ ...fields, version: version + 1 })
          .where('id', '=', id)
          .where('version', '=', version)
          .returningAll()
          .executeTakeFirst();
        if (updated) await this.outbox.record(trx, `user:${id}`, outbox);
        if (updated && audit) await this.audit.append(trx, audit);
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

  async list(page: PageRequest<UserCursor>): Promise<Page<User, UserCursor>> {
    let query = this.db.selectFrom('users').selectAll();
    const after = page.after;
    if (after !== undefined) {
      query = query.where((eb) => eb(eb.refTuple('users.created_at', 'users.id'), '>', eb.tuple(after.createdAt, after.id)));
    }
    const rows = await query
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .limit(page.limit + 1)
      .execute();
    const items = rows.slice(0, page.limit).map(fromUserRow);
    const last = items.at(-1);
    return rows.length > page.limit && last ? { items, next: { createdAt: last.createdAt, id: last.id } } : { items };
  }
}
