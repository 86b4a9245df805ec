import type { Insertable, Kysely } from 'kysely';
import { isExportFormat, isExportKind, type ExportRecord, type ExportStatus } from '../../../core/exports/model.js';
import type { ExportRepository } from '../../../core/exports/ports.js';
import type { OutboxMessage } from '../../../core/messaging/outbox.js';
import type { SqlOutbox } from '../outbox/sql-outbox.js';
import type { ExportRow, ExportsTable } from './export-tables.js';
import type { ProjectTables } from './project-tables.js';

/**
 * ExportRepository on the project schema: one row per export, its file inline (text). Give it the
 * project repository's outbox, so one relay sends what both record (docs/adr/0038).
 */
export class SqlExportRepository implements ExportRepository {
  constructor(
    private readonly db: Kysely<ProjectTables>,
    readonly outbox: SqlOutbox,
  ) {}

  async create(record: ExportRecord, outbox: readonly OutboxMessage[] = []): Promise<boolean> {
    const created = await this.db.transaction().execute(async (trx) => {
      const result = await trx
        .insertInto('exports')
        .values(toExportRow(record))
        .onConflict((conflict) => conflict.column('id').doNothing())
        .executeTakeFirst();
      if ((result.numInsertedOrUpdatedRows ?? 0n) === 0n) return false;
      await this.outbox.record(trx, `export:${record.id}`, outbox);
      return true;
    });
    if (created) this.outbox.recorded(outbox);
    return created;
  }

  async findById(id: string): Promise<ExportRecord | undefined> {
    const row = await this.db.selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromExportRow(row);
  }

  async update(record: ExportRecord, outbox: readonly OutboxMessage[] = []): Promise<boolean> {
    const { id, ...fields } = toExportRow(record);
    const updated = await this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('exports').set(fields).where('id', '=', id).executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await this.outbox.record(trx, `export:${id}`, outbox);
      return true;
    });
    if (updated) this.outbox.recorded(outbox);
    return updated;
  }

  async deleteExpired(now: number): Promise<number> {
    const result = await this.db.deleteFrom('exports').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

const toExportRow = (record: ExportRecord): Insertable<ExportsTable> & { readonly id: string } => ({
  id: record.id,
  user_id: record.userId,
  kind: record.kind,
  format: record.format,
  subject_id: record.subjectId,
  status: record.status,
  created_at: record.createdAt,
  updated_at: record.updatedAt,
  expires_at: record.expiresAt,
  file_name: record.file?.fileName ?? null,
  content_type: record.file?.contentType ?? null,
  content: record.file?.content ?? null,
  failure_code: record.failure?.code ?? null,
  failure_message: record.failure?.message ?? null,
});

const ExportStatuses: readonly string[] = ['queued', 'running', 'ready', 'failed'] satisfies ExportStatus[];

const fromExportRow = (row: ExportRow): ExportRecord => {
  if (!isExportKind(row.kind) || !isExportFormat(row.format) || !ExportStatuses.includes(row.status)) {
    throw new Error(`export ${row.id} has an unknown kind, format or status (${row.kind}, ${row.format}, ${row.status})`);
  }
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind,
    format: row.format,
    subjectId: row.subject_id,
    status: row.status as ExportStatus,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    ...(row.file_name === null || row.content_type === null || row.content === null
      ? {}
      : { file: { fileName: row.file_name, contentType: row.content_type, content: row.content } }),
    ...(row.failure_code === null || row.failure_message === null
      ? {}
      : { failure: { code: row.failure_code, message: row.failure_message } }),
  };
};
