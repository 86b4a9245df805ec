import type { OutboxMessage } from '../../core/messaging/outbox.js';
import { failure, type DomainFailure } from '../../core/shared/errors.js';
import { err, ok, type Result } from '../../core/shared/result.js';
import type { MetricSample } from '../../core/simulation/model/metric-sample.js';
import { quotaExceeded } from '../../core/simulation/errors.js';
import { countsAt, expectedEnd, retryAfterMs } from '../../core/simulation/running-limits.js';
import type { HistoryPage, HistoryQuery, RunningLimits, SimulationRepository } from '../../core/simulation/ports.js';
import type { Simulation, SimulationResults } from '../../core/simulation/simulation.js';
import type { SimulationSummary } from '../../core/simulation/summary.js';
import { InMemoryOutbox } from './in-memory-outbox.js';

/** Simulations and results in Maps, for tests and the embedded defaults. Stores and hands out copies only. */
export class InMemorySimulationRepository implements SimulationRepository {
  private readonly simulations = new Map<string, Simulation>();
  private readonly results = new Map<string, SimulationResults>();

  constructor(readonly outbox: InMemoryOutbox = new InMemoryOutbox()) {}

  // Atomic without a lock: nothing between the count and the insert awaits, so no other create runs in between.
  async create(
    simulation: Simulation,
    limits?: RunningLimits,
    outbox: readonly OutboxMessage[] = [],
  ): Promise<Result<Simulation, DomainFailure>> {
    if (this.simulations.has(simulation.id))
      return err(failure('conflict', 'simulation_exists', `Simulation ${simulation.id} already exists`));
    if (limits) {
      const refused = this.overLimit(simulation, limits);
      if (refused) return err(refused);
    }
    const stored = { ...structuredClone(simulation), version: 1 };
    this.simulations.set(simulation.id, stored);
    this.outbox.record(`simulation:${simulation.id}`, outbox);
    return ok(structuredClone(stored));
  }

  async update(
    simulation: Simulation,
    expectedVersion: number,
    outbox: readonly OutboxMessage[] = [],
  ): Promise<Result<Simulation, DomainFailure>> {
    const current = this.simulations.get(simulation.id);
    if (!current) return err(failure('not_found', 'simulation_not_found', `No simulation ${simulation.id}`));
    if (current.version !== expectedVersion) {
      return err(failure('conflict', 'simulation_version_conflict', `Simulation ${simulation.id} changed meanwhile`));
    }
    const stored = { ...structuredClone(simulation), version: expectedVersion + 1 };
    this.simulations.set(simulation.id, stored);
    this.outbox.record(`simulation:${simulation.id}`, outbox);
    return ok(structuredClone(stored));
  }

  async findById(id: string): Promise<Simulation | undefined> {
    const simulation = this.simulations.get(id);
    return simulation && structuredClone(simulation);
  }

  async listByProject(projectId: string, query: HistoryQuery): Promise<HistoryPage> {
    return this.page((simulation) => simulation.projectId === projectId, query);
  }

  async listByUser(userId: string, query: HistoryQuery): Promise<HistoryPage> {
    return this.page((simulation) => simulation.userId === userId, query);
  }

  async saveResults(simulationId: string, samples: readonly MetricSample[], summary: SimulationSummary): Promise<void> {
    if (!this.simulations.has(simulationId)) throw new Error(`No simulation ${simulationId} to save results for`);
    this.results.set(simulationId, structuredClone({ simulationId, samples, summary }));
  }

  async findResults(simulationId: string): Promise<SimulationResults | undefined> {
    const results = this.results.get(simulationId);
    return results && structuredClone(results);
  }

  async deleteOlderThan(cutoff: number): Promise<readonly string[]> {
    const deleted: string[] = [];
    for (const simulation of [...this.simulations.values()]) {
      if (simulation.status === 'running' || (simulation.completedAt ?? simulation.startedAt) >= cutoff) continue;
      this.simulations.delete(simulation.id);
      this.results.delete(simulation.id);
      deleted.push(simulation.id);
    }
    return deleted;
  }

  private overLimit(simulation: Simulation, limits: RunningLimits): DomainFailure | undefined {
    const now = simulation.startedAt;
    const running = [...this.simulations.values()].filter((other) => countsAt(other, now, limits.graceMs));
    const scopes = [
      { scope: 'user', limit: limits.perUser, runs: running.filter((other) => other.userId === simulation.userId) },
      { scope: 'project', limit: limits.perProject, runs: running.filter((other) => other.projectId === simulation.projectId) },
    ] as const;
    const full = scopes.find(({ limit, runs }) => runs.length >= limit);
    return full && quotaExceeded(full.scope, full.limit, retryAfterMs(full.runs.map(expectedEnd), now));
  }

  private page(belongs: (simulation: Simulation) => boolean, query: HistoryQuery): HistoryPage {
    const matching = [...this.simulations.values()]
      .filter((simulation) => belongs(simulation) && (query.status === undefined || simulation.status === query.status))
      .sort(newestFirst);
    const { after } = query;
    const rest = after ? matching.filter((simulation) => newestFirst(simulation, after) > 0) : matching;
    return {
      items: rest.slice(0, query.limit).map((simulation) => structuredClone(simulation)),
      total: matching.length,
      hasMore: rest.length > query.limit,
    };
  }
}

/** startedAt descending, then id descending. */
const newestFirst = (a: { startedAt: number; id: string }, b: { startedAt: number; id: string }): number =>
  b.startedAt - a.startedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
