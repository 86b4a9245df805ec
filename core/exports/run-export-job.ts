import { Streams, Queues } from '../messaging/channels.js';
import { outboxJob, outboxStreamEntry } from '../messaging/outbox.js';
import { exportReadyEmailJob } from '../messaging/email-jobs.js';
import type { Job } from '../messaging/work-queue.js';
import { DependencyUnavailableError, DomainFailureError, type DomainFailure } from '../shared/errors.js';
import { err, ok, type Result } from '../shared/result.js';
import type { ExportDeps } from './deps.js';
import { ExportFailures } from './errors.js';
import { parseExportJob, type ExportOrder } from './export-jobs.js';
import type { ExportFile, ExportRecord } from './model.js';
import { exportNotification, notificationFields, notifyJob } from './notifications.js';
import { buildProjectReport } from './project-report.js';
import { renderSimulationResults } from './render.js';

/**
 * Produces the export a job asks for: `running`, then `ready` with the file or `failed` with the
 * reason, then tells the user (an entry on `notifications:stream:{user_id}` and a `notify` job on
 * `async:notifications:queue`, and an email on `async:email:queue` when it is ready). Jobs come at
 * least once: an export already ready or failed is
 * returned as it is, and one left `running` by a crash runs again.
 *
 * When the simulation service is unavailable the call throws (a fault: the queue redelivers the
 * job later) until the job's last delivery, which fails the export. A malformed job is returned as
 * a failure for the caller to log and drop.
 */
export const runExportJob = async (
  deps: ExportDeps,
  job: Pick<Job, 'type' | 'payload' | 'attempt'>,
): Promise<Result<ExportRecord, DomainFailure>> => {
  const order = parseExportJob(job);
  if (!order.ok) return order;
  const record = await findOrCreate(deps, order.value);
  if (!matches(record, order.value)) return err(ExportFailures.malformedJob(`export ${record.id} is another export`));
  if (record.status === 'ready' || record.status === 'failed') return ok(record);

  const running: ExportRecord = { ...record, status: 'running', updatedAt: deps.clock.now() };
  await deps.exports.update(running);
  // An outage is a fault (docs/adr/0027); here it is also the reason a last delivery fails the export.
  const produced = await produce(deps, running).catch((error: unknown) => {
    if (error instanceof DependencyUnavailableError) return err(error.failure);
    throw error;
  });
  if (!produced.ok && produced.error.kind === 'unavailable' && job.attempt < deps.settings.maxAttempts) {
    throw new DomainFailureError(produced.error);
  }
  const { file: _file, failure: _failure, ...base } = running;
  return ok(
    await finish(
      deps,
      produced.ok
        ? { ...base, status: 'ready', file: produced.value }
        : { ...base, status: 'failed', failure: { code: produced.error.code, message: produced.error.message } },
    ),
  );
};

/** The export the job names; a job enqueued by another service (the gateway) brings its own id, recorded here first. */
const findOrCreate = async (deps: ExportDeps, order: ExportOrder): Promise<ExportRecord> => {
  const found = await deps.exports.findById(order.exportId);
  if (found) return found;
  const now = deps.clock.now();
  const record: ExportRecord = {
    id: order.exportId,
    userId: order.userId,
    kind: order.kind,
    format: order.format,
    subjectId: order.subjectId,
    status: 'queued',
    createdAt: now,
    updatedAt: now,
    expiresAt: now + deps.settings.retentionMs,
  };
  if (await deps.exports.create(record)) return record;
  return (await deps.exports.findById(order.exportId)) ?? record; // created meanwhile by a concurrent delivery
};

const matches = (record: ExportRecord, order: ExportOrder): boolean =>
  record.userId === order.userId && record.kind === order.kind && record.subjectId === order.subjectId;

const produce = async (deps: ExportDeps, record: ExportRecord): Promise<Result<ExportFile, DomainFailure>> => {
  if (record.kind === 'project_report') return buildProjectReport(deps, record);
  const results = await deps.simulations.results(record.subjectId, record.userId);
  return results.ok ? ok(renderSimulationResults(results.value, record.format)) : results;
};

/** Stores the end of the export with the user's notification (outbox): a redelivered job finds it done and notifies nobody twice. */
const finish = async (deps: ExportDeps, record: ExportRecord): Promise<ExportRecord> => {
  const now = deps.clock.now();
  const finished: ExportRecord = { ...record, updatedAt: now, expiresAt: now + deps.settings.retentionMs };
  const notification = exportNotification(finished, now);
  await deps.exports.update(finished, [
    outboxStreamEntry(Streams.notifications(finished.userId), notificationFields(notification)),
    outboxJob(Queues.notifications, notifyJob(finished.userId, notification)),
    // A ready export is also emailed (docs/adr/0055).
    ...(finished.status === 'ready'
      ? [
          outboxJob(
            Queues.email,
            exportReadyEmailJob({
              user_id: finished.userId,
              export_id: finished.id,
              kind: finished.kind,
              format: finished.format,
              expires_at: finished.expiresAt,
            }),
          ),
        ]
      : []),
  ]);
  return finished;
};
