import { REQUEST_BYTES } from './model/cluster-model.js';
import { roundTo, type MetricSample } from './model/metric-sample.js';

export const SUMMARY_KEYS = [
  'samples',
  'avg_latency',
  'p50_latency',
  'p95_latency',
  'p99_latency',
  'max_latency',
  'avg_error_rate',
  'max_error_rate',
  'avg_requests_per_sec',
  'peak_requests_per_sec',
  'peak_offered_per_sec',
  'availability',
  'peak_cpu_total',
  'peak_memory_total',
  'peak_pods_running',
  'min_nodes_active',
  'max_nodes_failed',
] as const;

/**
 * Aggregates of a series, keyed as they travel (`map<string, double>` in proto, JSON in events).
 * Latencies in ms; rates 0..1; availability is the share of offered requests that succeeded.
 */
export type SimulationSummary = Readonly<Record<(typeof SUMMARY_KEYS)[number], number>>;

/** Offered requests/s of a sample: every offered request brings REQUEST_BYTES in. */
export const offeredRate = (sample: MetricSample): number => sample.network_in / REQUEST_BYTES;

/** Nearest-rank percentile of ascending `sorted`. */
export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
};

const mean = (values: readonly number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
const max = (values: readonly number[]): number => values.reduce((a, b) => Math.max(a, b), 0);

/**
 * Summary statistics of a finished or partial series (percentiles over its samples, so over bucket
 * means when the series was downsampled). An empty series gives zeros and availability 1.
 */
export const summarizeSeries = (samples: readonly MetricSample[]): SimulationSummary => {
  const latencies = samples.map((s) => s.avg_latency).sort((a, b) => a - b);
  const offered = samples.map(offeredRate);
  const totalOffered = offered.reduce((a, b) => a + b, 0);
  const failed = samples.reduce((sum, s, i) => sum + s.error_rate * offered[i]!, 0);
  return {
    samples: samples.length,
    avg_latency: roundTo(mean(latencies), 3),
    p50_latency: percentile(latencies, 50),
    p95_latency: percentile(latencies, 95),
    p99_latency: percentile(latencies, 99),
    max_latency: max(latencies),
    avg_error_rate: roundTo(mean(samples.map((s) => s.error_rate)), 6),
    max_error_rate: max(samples.map((s) => s.error_rate)),
    avg_requests_per_sec: roundTo(mean(samples.map((s) => s.requests_per_sec)), 2),
    peak_requests_per_sec: max(samples.map((s) => s.requests_per_sec)),
    peak_offered_per_sec: roundTo(max(offered), 2),
    availability: totalOffered > 0 ? roundTo(1 - failed / totalOffered, 6) : 1,
    peak_cpu_total: max(samples.map((s) => s.cpu_total)),
    peak_memory_total: max(samples.map((s) => s.memory_total)),
    peak_pods_running: max(samples.map((s) => s.pods_running)),
    min_nodes_active: samples.reduce((least, s) => Math.min(least, s.nodes_active), samples[0]?.nodes_active ?? 0),
    max_nodes_failed: max(samples.map((s) => s.nodes_failed)),
  };
};
