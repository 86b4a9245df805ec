import { EventChannels, Streams } from '../messaging/channels.js';
import { outboxEvent } from '../messaging/outbox.js';
import type { DomainFailure } from '../shared/errors.js';
import { err, ok, type Result } from '../shared/result.js';
import { parseSimulationConfig, type ConfigurationMap } from './configuration.js';
import type { SimulationDeps } from './deps.js';
import { inConfiguration, invalidRequest, permissionDenied, startForbidden } from './errors.js';
import { maintenanceRefusal } from './maintenance.js';
import { simulationStarted } from './events.js';
import { seedFromText } from './model/prng.js';
import { checkRunShape, estimateDurationSeconds, mergeConfiguration } from './request-rules.js';
import { SimulationRun } from './run/simulation-run.js';
import type { ProjectAccess } from './ports.js';
import type { Simulation, SimulationStatus } from './simulation.js';

export const START_PERMISSION = 'simulation:start';

/** Who starts runs on a project: its owner and editors; viewers and readers of a public project watch (docs/adr/0036). */
export const mayStartOn = (access: ProjectAccess): boolean => access === 'owner' || access === 'editor';

export interface StartSimulationInput {
  readonly userId: string;
  readonly projectId: string;
  /** Overrides of the project's configuration (wire keys and string values). */
  readonly configuration?: ConfigurationMap;
  readonly components?: readonly string[];
  /** 1..3600; DEFAULT_DURATION_SECONDS when absent. */
  readonly durationSeconds?: number;
  /** Paced and streamed to `simulation:stream:{id}`; otherwise computed as fast as possible, unstreamed. */
  readonly enableRealTime: boolean;
}

export interface StartedSimulation {
  readonly simulationId: string;
  readonly status: SimulationStatus;
  readonly startedAt: number;
  /** The stream the samples go to; absent when the run is not real-time (nothing is streamed). */
  readonly websocketChannel?: string;
  readonly estimatedDurationSeconds: number;
}

/**
 * Checks the request, that the user may read the project (the project service decides) and holds
 * `simulation:start` (a role permission, asked without a resource: the auth service knows roles, the
 * project service knows who may use a project), that they own or edit the project, merges and
 * validates the configuration, stores the simulation within the running limits (per user, per
 * project: `rate_limited` beyond them) with its `simulation:events:started` in the outbox
 * (docs/adr/0038), and starts the run.
 */
export const startSimulation = async (
  deps: SimulationDeps,
  input: StartSimulationInput,
): Promise<Result<StartedSimulation, DomainFailure>> => {
  // Inside an announced maintenance window no run starts; those going finish (docs/adr/0056).
  const maintenance = deps.maintenance.current(deps.clock.now());
  if (maintenance) return err(maintenanceRefusal(maintenance, deps.clock.now()));
  const { shape, violations } = checkRunShape(input.durationSeconds, input.components);
  if (input.projectId.trim() === '') violations.unshift({ field: 'project_id', message: 'is required' });
  if (violations.length > 0) return err(invalidRequest(violations));

  const project = await deps.projects.getProject(input.projectId, input.userId);
  if (!project.ok) return project;
  const decision = await deps.authorization.checkPermission(input.userId, START_PERMISSION);
  if (!decision.allowed) return err(permissionDenied(START_PERMISSION, decision.reason));
  if (!mayStartOn(project.value.access)) return err(startForbidden(project.value.access));

  const { merged } = mergeConfiguration(project.value.configuration, input.configuration ?? {});
  const config = parseSimulationConfig(merged);
  if (!config.ok) return err(invalidRequest(inConfiguration(config.error.violations ?? [])));

  const id = deps.ids.next();
  const { updatesPerSecond } = deps.settings;
  const simulation: Simulation = {
    id,
    projectId: input.projectId,
    userId: input.userId,
    status: 'running',
    config: { ...config.value, seed: config.value.seed ?? seedFromText(id) },
    components: shape.components,
    durationSeconds: shape.durationSeconds,
    realTime: input.enableRealTime,
    updatesPerSecond,
    totalSteps: shape.durationSeconds * updatesPerSecond,
    stepsCompleted: 0,
    startedAt: deps.clock.now(),
    version: 1,
  };
  const created = await deps.repository.create(simulation, deps.settings.running, [
    outboxEvent(EventChannels.simulationStarted, simulationStarted(simulation, simulation.startedAt)),
  ]);
  if (!created.ok) return created;
  SimulationRun.of(created.value, deps).start();
  return ok({
    simulationId: id,
    status: created.value.status,
    startedAt: simulation.startedAt,
    ...(simulation.realTime ? { websocketChannel: Streams.simulation(id) } : {}),
    estimatedDurationSeconds: estimateDurationSeconds(shape.durationSeconds, simulation.realTime, updatesPerSecond),
  });
};
