import type { DomainFailure } from '../shared/errors.js';
import { ok, type Result } from '../shared/result.js';
import { findReadable } from './access.js';
import { analyzePerformance, type PerformanceAnalysis } from './analysis.js';
import type { SimulationDeps } from './deps.js';
import { seriesOf } from './get-simulation-results.js';
import type { SimulationStatus } from './simulation.js';

export interface PerformanceAnalysisView extends PerformanceAnalysis {
  readonly simulationId: string;
  readonly status: SimulationStatus;
  readonly analyzedAt: number;
}

/** The analysis of a simulation's series: final once it finished, of the samples so far while running. */
export const getPerformanceAnalysis = async (
  deps: Pick<SimulationDeps, 'repository' | 'projects' | 'runs' | 'clock'>,
  input: { readonly simulationId: string; readonly userId: string },
): Promise<Result<PerformanceAnalysisView, DomainFailure>> => {
  const found = await findReadable(deps, input.simulationId, input.userId);
  if (!found.ok) return found;
  const simulation = found.value;
  const analysis = analyzePerformance(await seriesOf(deps, simulation.id), simulation.config);
  return ok({ ...analysis, simulationId: simulation.id, status: simulation.status, analyzedAt: deps.clock.now() });
};
