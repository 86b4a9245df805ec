import type { Kysely } from 'kysely';
import { AuditActions, type AuditAction, type AuditEntry } from '../../../core/auth/model.js';
import type { AuditCursor, AuditLog, Page, PageRequest } from '../../../core/auth/ports.js';
import type { AuditLogTable, AuthTables } from './auth-tables.js';

const toRow = (entry: AuditEntry): AuditLogTable => ({
  id: entry.id,
  at: entry.at,
  actor_id: entry.actorId,
  action: entry.action,
  target_user_id: entry.targetUserId,
  detail: JSON.stringify(entry.detail),
});

const fromRow = (row: AuditLogTable): AuditEntry => ({
  id: row.id,
  at: row.at,
  actorId: row.actor_id,
  action: (AuditActions as readonly string[]).includes(row.action) ? (row.action as AuditAction) : 'assign_roles',
  targetUserId: row.target_user_id,
  detail: JSON.parse(row.detail) as Record<string, string>,
});

/**
 * The audit log on the auth schema. The repositories append in their own transaction (`append`
 * with their `trx`); reading pages newest first by (at, id) in "C" collation.
 */
export class SqlAuditLog implements AuditLog {
  constructor(private readonly db: Kysely<AuthTables>) {}

  /** Appends `entry` in the caller's transaction `trx`. */
  async append(trx: Kysely<AuthTables>, entry: AuditEntry): Promise<void> {
    await trx.insertInto('audit_log').values(toRow(entry)).execute();
  }

  async list(page: PageRequest<AuditCursor>): Promise<Page<AuditEntry, AuditCursor>> {
    let query = this.db.selectFrom('audit_log').selectAll();
    const after = page.after;
    if (after !== undefined) {
      query = query.where((eb) => eb(eb.refTuple('audit_log.at', 'audit_log.id'), '<', eb.tuple(after.at, after.id)));
    }
    const rows = await query
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    const items = rows.slice(0, page.limit).map(fromRow);
    const last = items.at(-1);
    return rows.length > page.limit && last ? { items, next: { at: last.at, id: last.id } } : { items };
  }
}
