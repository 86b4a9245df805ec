import { describe } from 'vitest';
import type { SimulationSettings } from '../../core/simulation/settings.js';
import { describeHistoryUseCase } from './history.behaviour.js';
import { describeReadUseCases } from './reads.behaviour.js';
import { describeRunUseCases } from './run.behaviour.js';
import { createSimulationHarness } from './simulation-harness.js';
import type { SimulationRepositoryFixture } from './simulation-repository.contract.js';
import { describeStartUseCase } from './start.behaviour.js';
import { describeValidateUseCase } from './validate.behaviour.js';

/**
 * The SimulationService (the simulation domain's driving port) end to end: every use case and
 * every denial, on the given repository, with an in-memory project directory and grants, the
 * in-memory event bus and stream store, a ManualClock and a hand-advanced scheduler.
 * Each fixture must start empty.
 */
export function describeSimulationServiceContract(adapterName: string, createRepository: () => Promise<SimulationRepositoryFixture>): void {
  describe(`SimulationService use cases: ${adapterName}`, () => {
    const harness = async (settings: Partial<SimulationSettings> = {}) => createSimulationHarness(await createRepository(), settings);
    describeStartUseCase(harness);
    describeRunUseCases(harness);
    describeReadUseCases(harness);
    describeHistoryUseCase(harness);
    describeValidateUseCase(harness);
  });
}
