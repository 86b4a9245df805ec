import type { DomainEvent } from '../messaging/events.js';
import type { SimulationRepository } from './ports.js';
import type { Simulation } from './simulation.js';
import type { SimulationService } from './simulation-service.js';
import type { Log } from '../shared/log.js';

export interface ProjectEventsDeps {
  readonly simulations: SimulationService;
  readonly repository: SimulationRepository;
  readonly logger: Log;
}

const PAGE = 100;

/**
 * Handles `project:events:updated`. A deleted project's running simulations are stopped (their
 * partial results kept); a modified project changes nothing for running simulations, which keep the
 * configuration they started with, so it is only logged. Never rejects: failures are logged.
 */
export const projectUpdatedHandler =
  (deps: ProjectEventsDeps) =>
  async (event: DomainEvent): Promise<void> => {
    const projectId = event.project_id;
    if (typeof projectId !== 'string' || projectId === '') {
      deps.logger.warn({ event }, 'project event without project_id ignored');
      return;
    }
    if (event.change !== 'deleted') {
      deps.logger.info(
        { projectId, changes: event.changes },
        'project modified: running simulations keep the configuration they started with',
      );
      return;
    }
    try {
      const stopped = await stopRunningSimulations(deps, projectId);
      deps.logger.info({ projectId, stopped }, 'project deleted: its running simulations were stopped');
    } catch (error) {
      deps.logger.error({ err: error, projectId }, 'project deleted: stopping its simulations failed');
    }
  };

/**
 * Stops every simulation of the project stored as running, as the user who started it (the starter
 * may always stop a run, and the deleted project can no longer say who owns it). Returns how many stopped.
 */
const stopRunningSimulations = async (deps: ProjectEventsDeps, projectId: string): Promise<number> => {
  const running = await allRunning(deps.repository, projectId);
  let stopped = 0;
  for (const simulation of running) {
    const outcome = await deps.simulations.stopSimulation({
      simulationId: simulation.id,
      userId: simulation.userId,
      reason: `project ${projectId} was deleted`,
    });
    if (outcome.ok && outcome.value.stopped) stopped += 1;
    else if (!outcome.ok)
      deps.logger.warn({ simulationId: simulation.id, code: outcome.error.code }, `could not stop simulation: ${outcome.error.message}`);
  }
  return stopped;
};

/** Every running simulation of the project, read page by page before any is stopped. */
const allRunning = async (repository: SimulationRepository, projectId: string): Promise<Simulation[]> => {
  const found: Simulation[] = [];
  for (;;) {
    const last = found[found.length - 1];
    const page = await repository.listByProject(projectId, {
      limit: PAGE,
      status: 'running',
      ...(last ? { after: { startedAt: last.startedAt, id: last.id } } : {}),
    });
    found.push(...page.items);
    if (!page.hasMore || page.items.length === 0) return found;
  }
};
