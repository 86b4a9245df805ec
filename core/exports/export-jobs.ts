import { Queues } from '../messaging/channels.js';
import type { Job, NewJob } from '../messaging/work-queue.js';
import type { DomainFailure } from '../shared/errors.js';
import { err, ok, type Result } from '../shared/result.js';
import { ExportFailures } from './errors.js';
import { isExportFormat, type ExportFormat, type ExportKind, type ExportRecord } from './model.js';

/**
 * Job types and payloads (snake_case, as on the wire). The gateway may enqueue `simulation_export`
 * itself, with an `export_id` of its choosing, instead of asking this service to (POST /exports).
 */
export const ExportJobTypes = { simulationExport: 'simulation_export', projectReport: 'project_report' } as const;

/** `async:exports:queue` for simulation results, `async:reports:queue` for project reports. */
export const queueOf = (kind: ExportKind): string => (kind === 'project_report' ? Queues.reports : Queues.exports);

export const exportJob = (record: ExportRecord): NewJob =>
  record.kind === 'project_report'
    ? {
        type: ExportJobTypes.projectReport,
        payload: { project_id: record.subjectId, user_id: record.userId, export_id: record.id },
      }
    : {
        type: ExportJobTypes.simulationExport,
        payload: { simulation_id: record.subjectId, user_id: record.userId, format: record.format, export_id: record.id },
      };

/** What a job asks for, read from its payload. */
export interface ExportOrder {
  readonly exportId: string;
  readonly userId: string;
  readonly kind: ExportKind;
  readonly format: ExportFormat;
  readonly subjectId: string;
}

export const parseExportJob = (job: Pick<Job, 'type' | 'payload'>): Result<ExportOrder, DomainFailure> => {
  const text = (field: string): string | undefined => {
    const value = job.payload[field];
    return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  };
  const exportId = text('export_id');
  const userId = text('user_id');
  if (!exportId || !userId) return err(ExportFailures.malformedJob('export_id and user_id are required'));
  if (job.type === ExportJobTypes.projectReport) {
    const projectId = text('project_id');
    if (!projectId) return err(ExportFailures.malformedJob('project_id is required'));
    return ok({ exportId, userId, kind: 'project_report', format: 'json', subjectId: projectId });
  }
  if (job.type === ExportJobTypes.simulationExport) {
    const simulationId = text('simulation_id');
    const format = text('format') ?? 'json';
    if (!simulationId) return err(ExportFailures.malformedJob('simulation_id is required'));
    if (!isExportFormat(format)) return err(ExportFailures.malformedJob(`format '${format}' is not json or csv`));
    return ok({ exportId, userId, kind: 'simulation_results', format, subjectId: simulationId });
  }
  return err(ExportFailures.malformedJob(`unknown job type '${job.type}'`));
};
