import type { CallWindow } from './call-window.js';
import type { PoolMetrics } from './policy.js';

/** The raw state of a pool at one instant, besides its window of completed calls. */
export interface PoolObservation {
  readonly now: number;
  readonly connections: number;
  /** Calls sent and not yet answered. */
  readonly inFlight: number;
  /** Calls waiting for the pool. */
  readonly queueDepth: number;
  readonly lastScaleActionAt: number;
  /** Concurrent calls at which one connection counts as fully used (PoolScalingConfig). */
  readonly streamsPerConnection: number;
}

/**
 * Rolls raw observations up into the scaling rules' input. Utilisation is the busier of two
 * readings of concurrency, divided by what the connections can carry: the calls in flight now
 * (reacts to a burst at once) and the window's average concurrency by Little's law (sum of
 * latencies / window length, which a sampling instant between two calls does not miss).
 */
export const computePoolMetrics = (observation: PoolObservation, window: CallWindow): PoolMetrics => {
  const totals = window.totals(observation.now);
  const averageConcurrency = totals.totalLatencyMs / window.windowMs;
  const concurrency = Math.max(observation.inFlight, averageConcurrency);
  const capacity = observation.connections * observation.streamsPerConnection;
  return {
    connections: observation.connections,
    utilisation: capacity > 0 ? Math.min(1, concurrency / capacity) : concurrency > 0 ? 1 : 0,
    queueDepth: observation.queueDepth,
    requestsPerSecond: (totals.calls * 1000) / window.windowMs,
    averageLatencyMs: totals.calls > 0 ? totals.totalLatencyMs / totals.calls : 0,
    windowCalls: totals.calls,
    errorRate: totals.calls > 0 ? totals.failures / totals.calls : 0,
    lastScaleActionAt: observation.lastScaleActionAt,
  };
};
