import { outboxJob } from '../messaging/outbox.js';
import type { DomainFailure, FieldViolation } from '../shared/errors.js';
import { err, ok, type Result } from '../shared/result.js';
import type { ExportDeps } from './deps.js';
import { ExportFailures } from './errors.js';
import { exportJob, queueOf } from './export-jobs.js';
import { ExportKinds, FormatsOfKind, isExportFormat, isExportKind, type ExportRecord } from './model.js';

export interface ExportRequestInput {
  readonly userId: string;
  /** `simulation_results` or `project_report`. */
  readonly kind: string;
  /** The simulation or project to export. */
  readonly subjectId: string;
  /** Default `json`. */
  readonly format?: string;
}

/**
 * Records a `queued` export owned by the caller with the job that produces it (outbox,
 * docs/adr/0046: the job is enqueued once Redis takes it, even if it is away now). It is
 * refused at once for a project or simulation the caller cannot read; the simulation service
 * checks again when the job runs, and a refusal then fails the export.
 */
export const requestExport = async (
  deps: Pick<ExportDeps, 'exports' | 'projects' | 'simulations' | 'clock' | 'ids' | 'settings'>,
  input: ExportRequestInput,
): Promise<Result<ExportRecord, DomainFailure>> => {
  const format = input.format ?? 'json';
  const violations = checkRequest(input, format);
  if (violations.length > 0 || !isExportKind(input.kind) || !isExportFormat(format)) {
    return err(ExportFailures.invalidInput(violations));
  }
  if (input.kind === 'project_report') {
    const project = await deps.projects.getProject({ projectId: input.subjectId, userId: input.userId });
    if (!project.ok) return project;
  } else {
    const readable = await deps.simulations.canRead(input.subjectId, input.userId);
    if (!readable.ok) return readable;
  }
  const now = deps.clock.now();
  const record: ExportRecord = {
    id: deps.ids.next(),
    userId: input.userId,
    kind: input.kind,
    format,
    subjectId: input.subjectId,
    status: 'queued',
    createdAt: now,
    updatedAt: now,
    expiresAt: now + deps.settings.retentionMs,
  };
  await deps.exports.create(record, [outboxJob(queueOf(record.kind), exportJob(record))]);
  return ok(record);
};

const checkRequest = (input: ExportRequestInput, format: string): FieldViolation[] => {
  const violations: FieldViolation[] = [];
  if (typeof input.userId !== 'string' || input.userId.trim() === '') violations.push({ field: 'userId', message: 'is required' });
  if (typeof input.subjectId !== 'string' || input.subjectId.trim() === '') {
    violations.push({ field: 'subjectId', message: 'is required' });
  }
  if (!isExportKind(input.kind)) violations.push({ field: 'kind', message: `must be one of ${ExportKinds.join(', ')}` });
  else if (!(FormatsOfKind[input.kind] as readonly string[]).includes(format)) {
    violations.push({ field: 'format', message: `must be one of ${FormatsOfKind[input.kind].join(', ')}` });
  }
  return violations;
};
