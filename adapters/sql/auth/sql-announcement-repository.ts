import type { Kysely } from 'kysely';
import { isAnnouncementKind, type Announcement, type AuditEntry } from '../../../core/auth/model.js';
import type { AnnouncementRepository } from '../../../core/auth/ports.js';
import type { OutboxMessage } from '../../../core/messaging/outbox.js';
import { SqlOutbox } from '../outbox/sql-outbox.js';
import type { AnnouncementsTable, AuthTables } from './auth-tables.js';
import { SqlAuditLog } from './sql-audit-log.js';

const fromRow = (row: AnnouncementsTable): Announcement => ({
  id: row.id,
  kind: isAnnouncementKind(row.kind) ? row.kind : 'info',
  message: row.message,
  startsAt: row.starts_at,
  endsAt: row.ends_at,
  createdBy: row.created_by,
  createdAt: row.created_at,
});

/** AnnouncementRepository on the auth schema: the announcement, its audit entry and its outbox messages in one transaction. */
export class SqlAnnouncementRepository implements AnnouncementRepository {
  constructor(
    private readonly db: Kysely<AuthTables>,
    private readonly audit: SqlAuditLog = new SqlAuditLog(db),
    readonly outbox: SqlOutbox = new SqlOutbox(db),
  ) {}

  async create(announcement: Announcement, audit: AuditEntry, outbox: readonly OutboxMessage[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('announcements')
        .values({
          id: announcement.id,
          kind: announcement.kind,
          message: announcement.message,
          starts_at: announcement.startsAt,
          ends_at: announcement.endsAt,
          created_by: announcement.createdBy,
          created_at: announcement.createdAt,
        })
        .execute();
      await this.audit.append(trx, audit);
      await this.outbox.record(trx, `announcement:${announcement.id}`, outbox);
    });
    this.outbox.recorded(outbox);
  }

  async listCurrent(now: number, limit: number): Promise<Announcement[]> {
    const rows = await this.db
      .selectFrom('announcements')
      .selectAll()
      .where('ends_at', '>', now)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }
}
