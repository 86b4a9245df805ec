import { Queues, Streams } from '../messaging/channels.js';
import type { StreamStore } from '../messaging/streams.js';
import type { JobHandler, JobQueue } from '../messaging/work-queue.js';
import type { Clock } from '../shared/clock.js';
import type { ScheduledTask, Scheduler, SimulationRepository } from './ports.js';
import type { FaultReporter } from './settings.js';
import type { Log } from '../shared/log.js';

/** Job type on `async:cleanup:queue`: payload `{ older_than_ms }`, the age past which finished simulations go. */
export const CLEANUP_JOB = 'cleanup_simulations';

export interface CleanupDeps {
  readonly repository: SimulationRepository;
  readonly streams: Pick<StreamStore, 'remove'>;
  readonly clock: Clock;
  readonly logger: Log;
}

/**
 * Handles `cleanup_simulations`: deletes finished simulations older than `older_than_ms` with their
 * results, then their `simulation:stream:{id}` streams. Idempotent (at-least-once delivery). Other
 * job types on the shared queue belong to other workers and are acknowledged untouched; a malformed
 * job is logged and acknowledged, as retrying cannot fix it.
 */
export const cleanupJobHandler =
  (deps: CleanupDeps): JobHandler =>
  async (job) => {
    if (job.type !== CLEANUP_JOB) return;
    const olderThanMs = job.payload.older_than_ms;
    if (typeof olderThanMs !== 'number' || !Number.isFinite(olderThanMs) || olderThanMs < 0) {
      deps.logger.error({ jobId: job.id, olderThanMs }, 'cleanup job dropped: older_than_ms must be a non-negative number');
      return;
    }
    const cutoff = deps.clock.now() - olderThanMs;
    const deleted = await deps.repository.deleteOlderThan(cutoff);
    const removals = await Promise.allSettled(deleted.map((id) => deps.streams.remove(Streams.simulation(id))));
    const orphaned = deleted.filter((_, i) => removals[i]?.status === 'rejected').map((id) => Streams.simulation(id));
    // A redelivery would not find these ids again (their records are gone): name the streams for an operator.
    if (orphaned.length > 0) deps.logger.error({ streams: orphaned }, 'cleanup: simulation streams could not be removed');
    deps.logger.info({ jobId: job.id, cutoff, deleted: deleted.length }, 'cleanup: old simulations deleted');
  };

export interface CleanupScheduleOptions {
  readonly scheduler: Scheduler;
  readonly jobs: Pick<JobQueue, 'enqueue'>;
  readonly intervalMs: number;
  /** Delay of the first job after start; default one minute. */
  readonly firstDelayMs?: number;
  readonly retentionMs: number;
  readonly reportFault: FaultReporter;
}

/**
 * Enqueues a cleanup job a minute after start, then every `intervalMs`, so cleanup happens without
 * anyone asking. Several instances each enqueue theirs; the jobs are idempotent, so that is harmless.
 */
export const scheduleCleanup = (options: CleanupScheduleOptions): ScheduledTask => {
  const enqueue = async () => {
    try {
      await options.jobs.enqueue(Queues.cleanup, { type: CLEANUP_JOB, payload: { older_than_ms: options.retentionMs } });
    } catch (error) {
      options.reportFault(error, 'enqueue cleanup job');
    }
  };
  const first = options.scheduler.every(options.firstDelayMs ?? 60_000, () => {
    first.cancel();
    return enqueue();
  });
  const periodic = options.scheduler.every(options.intervalMs, enqueue);
  return {
    cancel: () => {
      first.cancel();
      periodic.cancel();
    },
  };
};
