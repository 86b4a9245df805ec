import type { Insertable } from 'kysely';
import { isSimulationStatus, type Simulation } from '../../../core/simulation/simulation.js';
import type { SimulationRow, SimulationsTable } from './simulation-tables.js';

export const toSimulationRow = (simulation: Simulation): Insertable<SimulationsTable> & { readonly id: string } => ({
  id: simulation.id,
  project_id: simulation.projectId,
  user_id: simulation.userId,
  status: simulation.status,
  config: JSON.stringify(simulation.config),
  components: [...simulation.components],
  duration_seconds: simulation.durationSeconds,
  real_time: simulation.realTime,
  updates_per_second: simulation.updatesPerSecond,
  total_steps: simulation.totalSteps,
  steps_completed: simulation.stepsCompleted,
  started_at: simulation.startedAt,
  completed_at: simulation.completedAt ?? null,
  stopped_by: simulation.stoppedBy ?? null,
  stop_reason: simulation.stopReason ?? null,
  final_sample: simulation.finalSample === undefined ? null : JSON.stringify(simulation.finalSample),
  version: simulation.version,
});

/** The stored simulation; optional fields stored as NULL are absent, as the domain leaves them. */
export const fromSimulationRow = (row: SimulationRow): Simulation => {
  if (!isSimulationStatus(row.status)) throw new Error(`simulation ${row.id} has unknown status ${row.status}`);
  return {
    id: row.id,
    projectId: row.project_id,
    userId: row.user_id,
    status: row.status,
    config: row.config,
    components: row.components,
    durationSeconds: row.duration_seconds,
    realTime: row.real_time,
    updatesPerSecond: row.updates_per_second,
    totalSteps: row.total_steps,
    stepsCompleted: row.steps_completed,
    startedAt: row.started_at,
    ...(row.completed_at === null ? {} : { completedAt: row.completed_at }),
    ...(row.stopped_by === null ? {} : { stoppedBy: row.stopped_by }),
    ...(row.stop_reason === null ? {} : { stopReason: row.stop_reason }),
    ...(row.final_sample === null ? {} : { finalSample: row.final_sample }),
    version: row.version,
  };
};
