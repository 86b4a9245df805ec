import { Streams } from '../messaging/channels.js';
import type { StreamProducer } from '../messaging/streams.js';
import type { JobHandler } from '../messaging/work-queue.js';
import type { Clock } from '../shared/clock.js';
import { analyzePerformance } from './analysis.js';
import type { SimulationRepository } from './ports.js';
import type { Log } from '../shared/log.js';

/** Job type on `async:analytics:queue`: payload `{ simulation_id, project_id, user_id, status }`. */
export const ANALYTICS_JOB = 'simulation_completed';

export interface AnalyticsDeps {
  readonly repository: SimulationRepository;
  readonly streams: Pick<StreamProducer, 'append'>;
  readonly clock: Clock;
  readonly logger: Log;
}

/**
 * Handles `simulation_completed`: analyses the finished run's stored series and appends a
 * `simulation_run` event to `analytics:stream:events`. Other job types on the shared queue are
 * acknowledged untouched; a job for a simulation gone meanwhile (cleaned up) is logged and dropped.
 * A redelivered job appends its event again (at-least-once): readers dedupe by `simulation_id`.
 */
export const analyticsJobHandler =
  (deps: AnalyticsDeps): JobHandler =>
  async (job) => {
    if (job.type !== ANALYTICS_JOB) return;
    const simulationId = job.payload.simulation_id;
    const simulation = typeof simulationId === 'string' ? await deps.repository.findById(simulationId) : undefined;
    if (!simulation) {
      deps.logger.warn({ jobId: job.id, simulationId }, 'analytics job dropped: no such simulation');
      return;
    }
    const results = await deps.repository.findResults(simulation.id);
    const analysis = analyzePerformance(results?.samples ?? [], simulation.config);
    await deps.streams.append(Streams.analyticsEvents, {
      type: 'simulation_run',
      simulation_id: simulation.id,
      project_id: simulation.projectId,
      user_id: simulation.userId,
      duration_steps: String(simulation.stepsCompleted),
      avg_latency: String(analysis.summary.avg_latency),
      error_rate: String(analysis.summary.avg_error_rate),
      overall_score: String(analysis.overallScore),
      timestamp: String(simulation.completedAt ?? deps.clock.now()),
    });
  };
