import { parseSimulationConfig, type SimulationConfig } from '../../core/simulation/configuration.js';
import { createClusterModel } from '../../core/simulation/model/cluster-model.js';
import type { MetricSample } from '../../core/simulation/model/metric-sample.js';

/** A configuration from wire overrides of the defaults; throws when they are invalid (a test's own mistake). */
export const aConfig = (overrides: Record<string, string> = {}): SimulationConfig => {
  const parsed = parseSimulationConfig(overrides);
  if (!parsed.ok) throw new Error(`invalid test configuration: ${JSON.stringify(parsed.error.violations)}`);
  return parsed.value;
};

/** Runs the model for `steps` one-second steps (timestamps 1 s apart from 0) and returns the series. */
export const runModel = (config: SimulationConfig, steps: number, seed = 1): MetricSample[] => {
  const model = createClusterModel(config, { totalSteps: steps, seed });
  return Array.from({ length: steps }, (_, i) => model.step((i + 1) * 1000));
};

/** A sample with every field set; override what the test is about. */
export const aSample = (overrides: Partial<MetricSample> = {}): MetricSample => ({
  timestamp: 1_000,
  nodes_active: 3,
  nodes_failed: 0,
  pods_running: 10,
  services_healthy: 5,
  cpu_total: 2,
  memory_total: 4,
  network_in: 360_000,
  network_out: 1_440_000,
  requests_per_sec: 300,
  avg_latency: 30,
  error_rate: 0,
  simulation_step: 1,
  ...overrides,
});

export const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
