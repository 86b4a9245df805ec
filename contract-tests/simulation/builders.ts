import { randomUUID } from 'node:crypto';
import type { DomainFailure } from '../../core/shared/errors.js';
import type { Result } from '../../core/shared/result.js';
import { DEFAULT_SIMULATION_CONFIG } from '../../core/simulation/configuration.js';
import type { MetricSample } from '../../core/simulation/model/metric-sample.js';
import type { Simulation } from '../../core/simulation/simulation.js';

/** A fresh id with a readable prefix; lower-case hex, so code-unit and SQL "C" order agree. */
export const anId = (prefix: string): string => `${prefix}-${randomUUID()}`;

const BaseTime = Date.UTC(2026, 0, 1);

/** A fixed instant `minutes` after 2026-01-01T00:00Z, for ordering tests. */
export const atMinute = (minutes: number): number => BaseTime + minutes * 60_000;

/** A running simulation, as just started, with unique ids; override what the test is about. */
export const aSimulation = (overrides: Partial<Simulation> = {}): Simulation => ({
  id: anId('sim'),
  projectId: anId('project'),
  userId: anId('user'),
  status: 'running',
  config: { ...DEFAULT_SIMULATION_CONFIG, seed: 42 },
  components: ['api-gateway', 'orders'],
  durationSeconds: 60,
  realTime: true,
  updatesPerSecond: 10,
  totalSteps: 600,
  stepsCompleted: 0,
  startedAt: BaseTime,
  version: 1,
  ...overrides,
});

/** A metric sample of step `step`; override what the test is about. */
export const aMetricSample = (step: number, overrides: Partial<MetricSample> = {}): MetricSample => ({
  timestamp: BaseTime + step * 100,
  nodes_active: 3,
  nodes_failed: 0,
  pods_running: 10,
  services_healthy: 5,
  cpu_total: 2.5,
  memory_total: 4.25,
  network_in: 360_000,
  network_out: 1_440_000,
  requests_per_sec: 300,
  avg_latency: 30.5,
  error_rate: 0,
  simulation_step: step,
  ...overrides,
});

/** The value of a successful result; a failure fails the test with its code. */
export const valueOf = <T>(result: Result<T, DomainFailure>): T => {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.value;
};

/** The failure of a failed result; a success fails the test. */
export const failureOf = <T>(result: Result<T, DomainFailure>): DomainFailure => {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value).slice(0, 300)}`);
  return result.error;
};
