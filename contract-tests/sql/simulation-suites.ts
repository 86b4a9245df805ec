import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqlSimulationRepository } from '../../adapters/sql/simulation/sql-simulation-repository.js';
import type { SimulationTables } from '../../adapters/sql/simulation/simulation-tables.js';
import { summarizeSeries } from '../../core/simulation/summary.js';
import { aMetricSample, aSimulation, anId, valueOf } from '../simulation/builders.js';
import { describeSimulationRepositoryContract } from '../simulation/simulation-repository.contract.js';
import { describeSimulationServiceContract } from '../simulation/simulation-service.contract.js';
import { describeMigrationContract } from './migration.contract.js';
import { useSharedDatabase, type DatabaseLease, type SharedDatabase } from './shared-database.js';
import type { SqlBackend } from './sql-backends.js';

/** The simulation repository's contract, the simulation use cases and the simulation schema, on one backend. */
export const describeSimulationOnSql = (backend: SqlBackend): void => {
  const shared = useSharedDatabase(backend, 'simulation');
  const simulations = async () => {
    const lease = await shared.lease();
    return { repo: new SqlSimulationRepository(shared.db), close: lease.close };
  };
  const on = `on ${backend.name}`;

  describeMigrationContract(backend.name, shared, ['idempotency_keys', 'outbox', 'simulation_results', 'simulations']);
  describeSimulationRepositoryContract(`SqlSimulationRepository ${on}`, simulations);
  describeSimulationServiceContract(`SqlSimulationRepository ${on}`, simulations);
  describeSimulationConstraints(backend.name, shared);
};

const describeSimulationConstraints = (backendName: string, shared: SharedDatabase<SimulationTables>): void => {
  describe(`simulation schema constraints on ${backendName}`, () => {
    let lease: DatabaseLease;
    let repo: SqlSimulationRepository;
    beforeEach(async () => {
      lease = await shared.lease();
      repo = new SqlSimulationRepository(shared.db);
    });
    afterEach(async () => {
      await lease.close();
    });

    const samples = [aMetricSample(1, { avg_latency: 0.1 + 0.2, cpu_total: 1e-7, network_in: 2 ** 52 + 0.5 }), aMetricSample(2)];

    it('refuses results of a simulation that is not stored', async () => {
      await expect(repo.saveResults(anId('sim'), samples, summarizeSeries(samples))).rejects.toThrow(/No simulation/);
    });

    it('gives every number of a series back exactly as saved', async () => {
      const simulation = valueOf(await repo.create(aSimulation()));

      await repo.saveResults(simulation.id, samples, summarizeSeries(samples));

      expect((await repo.findResults(simulation.id))?.samples).toStrictEqual(samples);
    });

    it('refuses a series holding a number JSON cannot store, and keeps the earlier results', async () => {
      const simulation = valueOf(await repo.create(aSimulation()));
      await repo.saveResults(simulation.id, samples, summarizeSeries(samples));

      const broken = [aMetricSample(1, { avg_latency: Number.NaN })];
      await expect(repo.saveResults(simulation.id, broken, summarizeSeries(samples))).rejects.toThrow(/avg_latency/);

      expect((await repo.findResults(simulation.id))?.samples).toEqual(samples);
    });

    it('deletes the results of a deleted simulation', async () => {
      const simulation = valueOf(await repo.create(aSimulation({ status: 'completed', completedAt: 1 })));
      await repo.saveResults(simulation.id, samples, summarizeSeries(samples));

      expect(await repo.deleteOlderThan(2)).toEqual([simulation.id]);

      const left = await sql<{ count: number }>`SELECT count(*) AS count FROM simulation_results`.execute(shared.db);
      expect(left.rows).toEqual([{ count: 0 }]);
    });

    it('refuses an unknown status', async () => {
      const failed = await repo.create(aSimulation({ status: 'paused' as 'running' })).catch((error: unknown) => error);
      expect(failed).toMatchObject({ code: '23514' });
    });
  });
};
