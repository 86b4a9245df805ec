import type { Clock } from '../shared/clock.js';
import type { IdGenerator } from '../shared/ids.js';
import type { StreamProducer } from '../messaging/streams.js';
import type { JobQueue } from '../messaging/work-queue.js';
import type { ProjectService } from '../project/service.js';
import type { ExportRepository, SimulationReader } from './ports.js';

export interface ExportSettings {
  /** How long an export stays downloadable after it was asked for, and again after it finished. Default 24 h. */
  readonly retentionMs: number;
  /**
   * Deliveries of a job (the job queue's `maxAttempts`): while the simulation service is down, a job
   * is retried until its last delivery, which marks the export failed. Default 5.
   */
  readonly maxAttempts: number;
  /** Simulations listed in a project report, newest first. Default 100. */
  readonly historyLimit: number;
}

export const defaultExportSettings: ExportSettings = {
  retentionMs: 24 * 60 * 60 * 1000,
  maxAttempts: 5,
  historyLimit: 100,
};

/** Everything the export use cases need; each use case takes only the part it uses. */
export interface ExportDeps {
  readonly exports: ExportRepository;
  readonly jobs: Pick<JobQueue, 'enqueue'>;
  readonly streams: StreamProducer;
  readonly simulations: SimulationReader;
  /** The project service's own reads, for reports and the access check before queuing one. */
  readonly projects: Pick<ProjectService, 'getProject' | 'getProjectPermissions'>;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly settings: ExportSettings;
}
