import { EventChannels, Queues } from '../messaging/channels.js';
import { outboxEvent, outboxJob, type OutboxMessage } from '../messaging/outbox.js';
import { ANALYTICS_JOB } from './analytics-jobs.js';
import { simulationCompleted } from './events.js';
import type { Simulation } from './simulation.js';
import type { SimulationSummary } from './summary.js';

/**
 * What the write that ends a run records with it (outbox, docs/adr/0038, 0046): `simulation:events:completed`
 * and one analytics job. Recorded by whichever writer moves the simulation out of `running` (its run,
 * or a stop of a run no process holds), so each run ends with exactly one of each.
 */
export const completionMessages = (finished: Simulation, summary: SimulationSummary, at: number): OutboxMessage[] => [
  outboxEvent(EventChannels.simulationCompleted, simulationCompleted(finished, summary, at)),
  outboxJob(Queues.analytics, {
    type: ANALYTICS_JOB,
    payload: { simulation_id: finished.id, project_id: finished.projectId, user_id: finished.userId, status: finished.status },
  }),
];
