import type { ExportRecord } from '../../../core/exports/model.js';

/** Exports as clients see them: snake_case, epoch-ms times. */

/** An export's state; `download_url` once ready, `error` once failed. The file itself is GET /exports/:id. */
export const exportJson = (record: ExportRecord) => ({
  id: record.id,
  kind: record.kind,
  format: record.format,
  ...(record.kind === 'project_report' ? { project_id: record.subjectId } : { simulation_id: record.subjectId }),
  status: record.status,
  created_at: record.createdAt,
  updated_at: record.updatedAt,
  expires_at: record.expiresAt,
  ...(record.status === 'ready' ? { download_url: `/exports/${encodeURIComponent(record.id)}` } : {}),
  ...(record.failure ? { error: record.failure } : {}),
});
