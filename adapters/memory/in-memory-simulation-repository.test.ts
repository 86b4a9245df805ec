import { describe, expect, it } from 'vitest';
import { aMetricSample, aSimulation, valueOf } from '../../contract-tests/simulation/builders.js';
import { summarizeSeries } from '../../core/simulation/summary.js';
import { InMemorySimulationRepository } from './in-memory-simulation-repository.js';

describe('InMemorySimulationRepository', () => {
  it('hands out copies: changing a simulation it returned changes nothing stored', async () => {
    const repo = new InMemorySimulationRepository();
    const created = valueOf(await repo.create(aSimulation({ components: ['api'] })));

    (created.components as string[]).push('db');
    ((await repo.findById(created.id))!.components as string[]).push('cache');

    expect((await repo.findById(created.id))?.components).toEqual(['api']);
  });

  it('keeps its own copy of saved samples', async () => {
    const repo = new InMemorySimulationRepository();
    const { id } = valueOf(await repo.create(aSimulation()));
    const samples = [aMetricSample(1)];
    await repo.saveResults(id, samples, summarizeSeries(samples));

    samples.push(aMetricSample(2));

    expect((await repo.findResults(id))?.samples).toHaveLength(1);
  });

  it('refuses results for a simulation it does not hold', async () => {
    await expect(new InMemorySimulationRepository().saveResults('sim-missing', [], summarizeSeries([]))).rejects.toThrow(
      'No simulation sim-missing',
    );
  });
});
