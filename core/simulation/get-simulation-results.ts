import type { DomainFailure } from '../shared/errors.js';
import { ok, type Result } from '../shared/result.js';
import { findReadable } from './access.js';
import type { SimulationDeps } from './deps.js';
import type { MetricSample } from './model/metric-sample.js';
import type { Simulation } from './simulation.js';
import { summarizeSeries, type SimulationSummary } from './summary.js';

export interface SimulationResultsView {
  readonly simulation: Simulation;
  /** False while running: the samples and summary are what exists so far. */
  readonly final: boolean;
  /** Oldest first; the newest `maxSamples` when asked. */
  readonly samples: readonly MetricSample[];
  /** Samples in the whole stored series (before `maxSamples`). */
  readonly totalSamples: number;
  readonly summary: SimulationSummary;
  readonly finalSample?: MetricSample;
}

/** The stored series of a simulation: the live one while it runs here, else the saved results (empty if none). */
export const seriesOf = async (
  deps: Pick<SimulationDeps, 'repository' | 'runs'>,
  simulationId: string,
): Promise<readonly MetricSample[]> => {
  const run = deps.runs.get(simulationId);
  if (run) return run.series();
  return (await deps.repository.findResults(simulationId))?.samples ?? [];
};

/** Results of a finished simulation, or those so far of a running one (`final: false`). */
export const getSimulationResults = async (
  deps: Pick<SimulationDeps, 'repository' | 'projects' | 'runs'>,
  input: { readonly simulationId: string; readonly userId: string; readonly maxSamples?: number },
): Promise<Result<SimulationResultsView, DomainFailure>> => {
  const found = await findReadable(deps, input.simulationId, input.userId);
  if (!found.ok) return found;
  const simulation = found.value;
  const run = deps.runs.get(simulation.id);
  const stored = run ? undefined : await deps.repository.findResults(simulation.id);
  const samples = run ? run.series() : (stored?.samples ?? []);
  const kept = input.maxSamples !== undefined && input.maxSamples > 0 ? samples.slice(-input.maxSamples) : samples;
  const finalSample = simulation.finalSample ?? samples[samples.length - 1];
  return ok({
    simulation,
    final: simulation.status !== 'running',
    samples: kept,
    totalSamples: samples.length,
    summary: stored?.summary ?? summarizeSeries(samples),
    ...(finalSample ? { finalSample } : {}),
  });
};
