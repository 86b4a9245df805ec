/**
 * One step of a simulation, with exactly the fields of the specification's `simulation:stream:{id}`
 * entries (docs/specification.md#the-simulation-stream); snake_case on purpose: the same names travel on the stream,
 * over JSON and in proto.
 */
export interface MetricSample {
  /** Epoch ms: the run's start time plus `simulation_step` × the real-time length of a step. */
  readonly timestamp: number;
  readonly nodes_active: number;
  readonly nodes_failed: number;
  readonly pods_running: number;
  /** Services with at least one running pod and an error rate under 5%. */
  readonly services_healthy: number;
  /** CPU in use, cores. */
  readonly cpu_total: number;
  /** Memory in use, GB. */
  readonly memory_total: number;
  /** Bytes per second received (every offered request). */
  readonly network_in: number;
  /** Bytes per second sent (responses and error replies). */
  readonly network_out: number;
  /** Requests served per second (offered minus dropped). */
  readonly requests_per_sec: number;
  /** Mean response time of the served requests, ms. */
  readonly avg_latency: number;
  /** Failed requests / offered requests, 0..1. */
  readonly error_rate: number;
  /** 1-based; one step is one simulated second. */
  readonly simulation_step: number;
}

export const METRIC_FIELDS = [
  'timestamp',
  'nodes_active',
  'nodes_failed',
  'pods_running',
  'services_healthy',
  'cpu_total',
  'memory_total',
  'network_in',
  'network_out',
  'requests_per_sec',
  'avg_latency',
  'error_rate',
  'simulation_step',
] as const satisfies readonly (keyof MetricSample)[];

/** Fields that count things and stay integers when samples are averaged. */
export const INTEGER_METRIC_FIELDS = [
  'timestamp',
  'nodes_active',
  'nodes_failed',
  'pods_running',
  'services_healthy',
  'simulation_step',
] as const;

export const roundTo = (value: number, decimals: number): number => {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
};
