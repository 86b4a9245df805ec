import type { RunningLimits } from './ports.js';

export interface SimulationSettings {
  /** Real-time updates per second, 10..100: each update is one model step (one simulated second). */
  readonly updatesPerSecond: number;
  /** Latest raw samples a running simulation keeps for live views. */
  readonly liveSampleCapacity: number;
  /**
   * Steps computed per scheduler call when a run is not real-time: bounds how long one call holds
   * the event loop (about 5-25 ms at 500 for usual clusters, more for the largest).
   */
  readonly batchStepsPerTick: number;
  /** Simulations running at once per user and per project (docs/adr/0036). */
  readonly running: RunningLimits;
  /** How long a finished real-time run's stream is kept for watchers to drain before it is removed (ADR 0039). */
  readonly finishedStreamGraceMs: number;
}

export const DEFAULT_SIMULATION_SETTINGS: SimulationSettings = {
  updatesPerSecond: 10,
  liveSampleCapacity: 1_000,
  batchStepsPerTick: 500,
  running: { perUser: 5, perProject: 10, graceMs: 60_000 },
  finishedStreamGraceMs: 60_000,
};

/** Called with faults a run meets where nobody awaits it (a failed stream append, a failed save); production logs them. */
export type FaultReporter = (error: unknown, context: string) => void;
