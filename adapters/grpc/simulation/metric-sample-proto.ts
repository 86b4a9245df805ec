import { METRIC_FIELDS, type MetricSample } from '../../../core/simulation/index.js';
import type { MetricSample as ProtoMetricSample } from '../generated/simulation.js';

/**
 * A sample as the proto carries it. Domain samples are stamped in epoch ms, as the proto's
 * `timestamp` is; only stream entries carry nanoseconds (core's `toStreamFields`).
 */
export const toProtoSample = (sample: MetricSample): ProtoMetricSample => ({
  timestamp: sample.timestamp,
  nodesActive: sample.nodes_active,
  nodesFailed: sample.nodes_failed,
  podsRunning: sample.pods_running,
  servicesHealthy: sample.services_healthy,
  cpuTotal: sample.cpu_total,
  memoryTotal: sample.memory_total,
  networkIn: sample.network_in,
  networkOut: sample.network_out,
  requestsPerSec: sample.requests_per_sec,
  avgLatency: sample.avg_latency,
  errorRate: sample.error_rate,
  simulationStep: sample.simulation_step,
});

/** The sample back from the proto (what a client of this service reads). */
export const fromProtoSample = (sample: ProtoMetricSample): MetricSample => ({
  timestamp: sample.timestamp,
  nodes_active: sample.nodesActive,
  nodes_failed: sample.nodesFailed,
  pods_running: sample.podsRunning,
  services_healthy: sample.servicesHealthy,
  cpu_total: sample.cpuTotal,
  memory_total: sample.memoryTotal,
  network_in: sample.networkIn,
  network_out: sample.networkOut,
  requests_per_sec: sample.requestsPerSec,
  avg_latency: sample.avgLatency,
  error_rate: sample.errorRate,
  simulation_step: sample.simulationStep,
});

/** A sample as a `map<string, double>` keyed by the stream's field names (`current_metrics`); empty when there is none. */
export const sampleAsMap = (sample: MetricSample | undefined): Record<string, number> =>
  sample ? Object.fromEntries(METRIC_FIELDS.map((field) => [field, sample[field]])) : {};
