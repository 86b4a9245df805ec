import type { Simulation } from './simulation.js';

type Timing = Pick<Simulation, 'startedAt' | 'durationSeconds' | 'realTime'>;

/** When a run should end by its plan: its start plus its duration. */
export const plannedEnd = (run: Timing): number => run.startedAt + run.durationSeconds * 1_000;

/** Whether a running simulation counts against the limits at `now` (see `RunningLimits.graceMs`). */
export const countsAt = (run: Timing & Pick<Simulation, 'status'>, now: number, graceMs: number): boolean =>
  run.status === 'running' && plannedEnd(run) + graceMs > now;

/** When a run is expected to end: a paced run at its planned end, a batch run within seconds of its start. */
export const expectedEnd = (run: Timing): number => (run.realTime ? plannedEnd(run) : run.startedAt);

const MIN_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;

/** Until the earliest of the counted runs should end, from 1 s to 60 s (a client polls at most a minute apart). */
export const retryAfterMs = (expectedEnds: readonly number[], now: number): number =>
  Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, Math.min(...expectedEnds) - now));
