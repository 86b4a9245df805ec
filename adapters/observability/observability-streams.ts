import { Streams } from '../../core/messaging/channels.js';
import type { StreamProducer } from '../../core/messaging/streams.js';
import type { Logger } from './logger.js';
import type { MessagingTotals } from './metrics/messaging-metrics.js';
import type { ProcessMesh } from '../grpc/mesh/process-mesh.js';
import { healthEntries } from './health-entries.js';
import { MetricsSummary } from './metrics-summary.js';
import { startPeriodicStreamPublisher } from './periodic-stream-publisher.js';

export interface StreamIntervals {
  /** Every registered instance's health on `system:stream:health`. Default 5 s. */
  readonly healthMs: number;
  /** The process's summary on `monitoring:stream:metrics`. Default 10 s. */
  readonly metricsMs: number;
}

export const DefaultStreamIntervals: StreamIntervals = { healthMs: 5_000, metricsMs: 10_000 };

export interface ObservabilityStreams {
  stop(): Promise<void>;
}

/**
 * Publishes the process's health and summary metrics to their streams (docs/adr/0018), trimmed by
 * the store to their configured retention (`STREAM_RETENTION_HEALTH`, `STREAM_RETENTION_MONITORING`):
 * at 5 s per instance, the default 10,000 health entries are the last ~14 hours of one instance; at
 * 10 s per process, 100,000 summaries are ~11 days of one process.
 */
export const startObservabilityStreams = (options: {
  readonly mesh: Pick<ProcessMesh, 'report' | 'scaler'>;
  readonly streams: StreamProducer;
  readonly totals: Readonly<MessagingTotals>;
  readonly logger: Logger;
  readonly intervals?: Partial<StreamIntervals>;
  readonly now?: () => number;
}): ObservabilityStreams => {
  const { mesh, streams, totals, logger } = options;
  const intervals = { ...DefaultStreamIntervals, ...options.intervals };
  const now = options.now ?? Date.now;
  const summary = new MetricsSummary();
  const publishers = [
    startPeriodicStreamPublisher({
      stream: Streams.systemHealth,
      intervalMs: intervals.healthMs,
      entries: () => healthEntries(mesh.report(), now()),
      streams,
      logger,
    }),
    startPeriodicStreamPublisher({
      stream: Streams.monitoringMetrics,
      intervalMs: intervals.metricsMs,
      entries: () => [summary.entry(mesh.report(), mesh.scaler.snapshot(), totals, now())],
      streams,
      logger,
    }),
  ];
  return { stop: async () => void (await Promise.all(publishers.map((publisher) => publisher.stop()))) };
};
