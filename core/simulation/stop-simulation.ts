import { DomainFailureError, type DomainFailure } from '../shared/errors.js';
import { ok, type Result } from '../shared/result.js';
import { findStoppable } from './access.js';
import { completionMessages } from './completion.js';
import { summarizeSeries } from './summary.js';
import type { SimulationDeps } from './deps.js';
import type { Simulation } from './simulation.js';

export interface StopSimulationInput {
  readonly simulationId: string;
  readonly userId: string;
  readonly reason?: string;
}

export interface StopOutcome {
  /** False when the simulation had already finished. */
  readonly stopped: boolean;
  readonly simulation: Simulation;
  /** Why it was not stopped, when `stopped` is false. */
  readonly reason?: string;
}

const DEFAULT_REASON = 'stopped by user';

/**
 * Stops a running simulation (starter or project owner only) and keeps its partial results. A
 * simulation marked running whose run is not in this process (the process that ran it ended) is
 * marked stopped as it is, with its completion (event and analytics job) recorded by this write,
 * since no run will record one. Its watchers on every gateway are told who stops it and why first:
 * the completion event that follows the stop ends their streams and closes their sockets (docs/adr/0052).
 */
export const stopSimulation = async (
  deps: Pick<SimulationDeps, 'repository' | 'projects' | 'runs' | 'clock' | 'watchers' | 'reportFault'>,
  input: StopSimulationInput,
): Promise<Result<StopOutcome, DomainFailure>> => {
  const found = await findStoppable(deps, input.simulationId, input.userId);
  if (!found.ok) return found;
  const simulation = found.value;
  const stopReason = input.reason?.trim() || DEFAULT_REASON;
  const run = deps.runs.get(input.simulationId);
  if (!run && simulation.status !== 'running') return ok(notStopped(simulation));
  await tellWatchers(deps, { ...simulation, status: 'stopped', stoppedBy: input.userId, stopReason });
  if (run) {
    const finished = await run.stop(input.userId, stopReason);
    return ok(finished.status === 'stopped' ? { stopped: true, simulation: finished } : notStopped(finished));
  }
  const now = deps.clock.now();
  const stopped = { ...simulation, status: 'stopped' as const, completedAt: now, stoppedBy: input.userId, stopReason };
  const summary = (await deps.repository.findResults(simulation.id))?.summary ?? summarizeSeries([]);
  const updated = await deps.repository.update(stopped, simulation.version, completionMessages(stopped, summary, now));
  return updated.ok ? ok({ stopped: true, simulation: updated.value }) : updated;
};

/** A gateway that cannot answer does not prevent the stop: the completion event still ends the watchers' streams. */
const tellWatchers = async (deps: Pick<SimulationDeps, 'watchers' | 'reportFault'>, simulation: Simulation): Promise<void> => {
  try {
    await deps.watchers?.stopped(simulation);
  } catch (error) {
    if (!(error instanceof DomainFailureError)) throw error;
    deps.reportFault(error, `telling the watchers of simulation ${simulation.id} that it stopped`);
  }
};

const notStopped = (simulation: Simulation): StopOutcome => ({ stopped: false, simulation, reason: `already ${simulation.status}` });
