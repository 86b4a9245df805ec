import type { SimulationConfig } from './configuration.js';
import type { MetricSample } from './model/metric-sample.js';
import type { SimulationSummary } from './summary.js';

export const SIMULATION_STATUSES = ['running', 'completed', 'stopped', 'failed'] as const;
export type SimulationStatus = (typeof SIMULATION_STATUSES)[number];

export const isSimulationStatus = (value: string): value is SimulationStatus => (SIMULATION_STATUSES as readonly string[]).includes(value);

/** One simulation run as stored. Changed only through `SimulationRepository.update` (optimistic version). */
export interface Simulation {
  readonly id: string;
  readonly projectId: string;
  /** The user who started it. */
  readonly userId: string;
  readonly status: SimulationStatus;
  /** The effective configuration: project's merged with the request's overrides, seed resolved. */
  readonly config: SimulationConfig;
  readonly components: readonly string[];
  /** Real-time length of the run. */
  readonly durationSeconds: number;
  /** Streams samples to `simulation:stream:{id}` at `updatesPerSecond`; otherwise runs as fast as it can, unstreamed. */
  readonly realTime: boolean;
  readonly updatesPerSecond: number;
  /** durationSeconds × updatesPerSecond: one model step (one simulated second) per update. */
  readonly totalSteps: number;
  /** Steps done; written when the run finishes (the live count is in the running process). */
  readonly stepsCompleted: number;
  readonly startedAt: number;
  /** When it completed, was stopped or failed. */
  readonly completedAt?: number;
  readonly stoppedBy?: string;
  readonly stopReason?: string;
  /** The last sample, written when the run finishes. */
  readonly finalSample?: MetricSample;
  /** 1 when created, +1 on every update. */
  readonly version: number;
}

/** What a finished (or stopped) run leaves behind. */
export interface SimulationResults {
  readonly simulationId: string;
  /** Oldest first; at most MAX_STORED_SAMPLES (longer runs averaged in buckets). */
  readonly samples: readonly MetricSample[];
  readonly summary: SimulationSummary;
}
