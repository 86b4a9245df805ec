import type { DomainFailure } from '../shared/errors.js';
import { err, ok, type Result } from '../shared/result.js';
import type { SimulationDeps } from './deps.js';
import { simulationForbidden, simulationNotFound, stopForbidden } from './errors.js';
import type { Simulation } from './simulation.js';

export type AccessDeps = Pick<SimulationDeps, 'repository' | 'projects' | 'runs'>;

/** The simulation as it stands: the live view when it runs in this process, else as stored. */
export const findSimulation = async (
  deps: Pick<SimulationDeps, 'repository' | 'runs'>,
  simulationId: string,
): Promise<Simulation | undefined> => deps.runs.get(simulationId)?.current ?? (await deps.repository.findById(simulationId));

/** The simulation if `userId` started it or may read its project; a directory outage throws (docs/adr/0027). */
export const findReadable = async (deps: AccessDeps, simulationId: string, userId: string): Promise<Result<Simulation, DomainFailure>> => {
  const simulation = await findSimulation(deps, simulationId);
  if (!simulation) return err(simulationNotFound(simulationId));
  if (simulation.userId === userId) return ok(simulation);
  const project = await deps.projects.getProject(simulation.projectId, userId);
  return project.ok ? ok(simulation) : err(simulationForbidden());
};

/** The simulation if `userId` started it or owns its project. */
export const findStoppable = async (deps: AccessDeps, simulationId: string, userId: string): Promise<Result<Simulation, DomainFailure>> => {
  const simulation = await findSimulation(deps, simulationId);
  if (!simulation) return err(simulationNotFound(simulationId));
  if (simulation.userId === userId) return ok(simulation);
  const project = await deps.projects.getProject(simulation.projectId, userId);
  if (!project.ok) return err(simulationForbidden());
  return project.value.ownerId === userId ? ok(simulation) : err(stopForbidden());
};
