import { EventChannels, Queues, StreamRetention, Streams } from '../messaging/channels.js';
import type { EventPublisher } from '../messaging/events.js';
import type { StreamProducer } from '../messaging/streams.js';
import type { JobHandler, JobQueue } from '../messaging/work-queue.js';
import type { Clock } from '../shared/clock.js';
import { analyzePerformance } from './analysis.js';
import type { SimulationRepository } from './ports.js';
import type { FaultReporter } from './settings.js';
import type { Log } from '../shared/log.js';

/** Job type on `async:analytics:queue`: payload `{ simulation_id, project_id, user_id, status }`. */
export const ANALYTICS_JOB = 'simulation_completed';

/**
 * The simulation service's event publisher, enqueueing an analytics job for every completion it
 * publishes. Done where the event is published rather than by subscribing to it, so each run gets
 * one job however many instances listen, and the job (durable) does not depend on Pub/Sub delivery.
 */
export const withAnalyticsJobs = (
  publisher: EventPublisher,
  jobs: Pick<JobQueue, 'enqueue'>,
  reportFault: FaultReporter,
): EventPublisher => ({
  publish: async (channel, event) => {
    if (channel === EventChannels.simulationCompleted) {
      const { simulation_id, project_id, user_id, status } = event;
      try {
        await jobs.enqueue(Queues.analytics, { type: ANALYTICS_JOB, payload: { simulation_id, project_id, user_id, status } });
      } catch (error) {
        reportFault(error, `simulation ${String(simulation_id)}: enqueue analytics job`);
      }
    }
    await publisher.publish(channel, event);
  },
});

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
    await deps.streams.append(
      Streams.analyticsEvents,
      {
        type: 'simulation_run',
        simulation_id: simulation.id,
        project_id: simulation.projectId,
        user_id: simulation.userId,
        duration_steps: String(simulation.stepsCompleted),
        avg_latency: String(analysis.summary.avg_latency),
        error_rate: String(analysis.summary.avg_error_rate),
        overall_score: String(analysis.overallScore),
        timestamp: String(simulation.completedAt ?? deps.clock.now()),
      },
      { maxLen: StreamRetention.analyticsEvents },
    );
  };
