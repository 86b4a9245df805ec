import type { DomainFailure } from '../shared/errors.js';
import { ok, type Result } from '../shared/result.js';
import { findReadable } from './access.js';
import type { SimulationDeps } from './deps.js';
import type { MetricSample } from './model/metric-sample.js';
import { estimateDurationSeconds } from './request-rules.js';
import type { SimulationStatus } from './simulation.js';

export interface SimulationStatusView {
  readonly simulationId: string;
  readonly projectId: string;
  readonly status: SimulationStatus;
  /** 0..100, whole percent of the planned steps done. */
  readonly progressPercentage: number;
  readonly stepsCompleted: number;
  readonly totalSteps: number;
  readonly startedAt: number;
  /** Epoch ms: expected end while running, actual end once finished. */
  readonly estimatedCompletion: number;
  /** The run's components while it runs; empty once finished. */
  readonly activeComponents: readonly string[];
  /** The latest sample, when there is one. */
  readonly currentMetrics?: MetricSample;
}

export const getSimulationStatus = async (
  deps: Pick<SimulationDeps, 'repository' | 'projects' | 'runs'>,
  input: { readonly simulationId: string; readonly userId: string },
): Promise<Result<SimulationStatusView, DomainFailure>> => {
  const found = await findReadable(deps, input.simulationId, input.userId);
  if (!found.ok) return found;
  const simulation = found.value;
  const running = simulation.status === 'running';
  const latest = deps.runs.get(simulation.id)?.latest ?? simulation.finalSample;
  const expectedEnd =
    simulation.startedAt + 1000 * estimateDurationSeconds(simulation.durationSeconds, simulation.realTime, simulation.updatesPerSecond);
  return ok({
    simulationId: simulation.id,
    projectId: simulation.projectId,
    status: simulation.status,
    progressPercentage: Math.floor((100 * simulation.stepsCompleted) / simulation.totalSteps),
    stepsCompleted: simulation.stepsCompleted,
    totalSteps: simulation.totalSteps,
    startedAt: simulation.startedAt,
    estimatedCompletion: running ? expectedEnd : (simulation.completedAt ?? expectedEnd),
    activeComponents: running ? simulation.components : [],
    ...(latest ? { currentMetrics: latest } : {}),
  });
};
