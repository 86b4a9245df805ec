import type { DomainEvent } from '../messaging/events.js';
import type { Simulation } from './simulation.js';
import type { SimulationSummary } from './summary.js';

/** Published on `simulation:events:started` when a run begins. */
export const simulationStarted = (simulation: Simulation, timestamp: number): DomainEvent => ({
  type: 'started',
  simulation_id: simulation.id,
  project_id: simulation.projectId,
  user_id: simulation.userId,
  timestamp,
});

/**
 * Published on `simulation:events:completed` when a run ends, completed or stopped (`status` says
 * which): the stream `simulation:stream:{id}` gets no more entries after it.
 */
export const simulationCompleted = (simulation: Simulation, summary: SimulationSummary, timestamp: number): DomainEvent => ({
  type: 'completed',
  simulation_id: simulation.id,
  project_id: simulation.projectId,
  user_id: simulation.userId,
  status: simulation.status,
  timestamp,
  summary,
});
