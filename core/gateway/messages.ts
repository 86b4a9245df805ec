import type { DomainEvent } from '../messaging/events.js';
import type { StreamFields } from '../messaging/streams.js';
import type { MetricSample } from '../simulation/index.js';
import type { ConnectedClient, GatewayMessage } from './model.js';
import type { SimulationSnapshot } from './ports.js';

/** What clients receive, snake_case as on every other wire of the mesh. */

/** Sent first to an `/events` client: it is registered and its feeds run. */
export const connectedMessage = (client: ConnectedClient): GatewayMessage => ({
  type: 'connected',
  client_id: client.clientId,
  user_id: client.userId,
  instance_id: client.instanceId,
});

/** A message another service routed or broadcast through the gateway. */
export const relayedMessage = (messageType: string, sourceService: string, payload: unknown): GatewayMessage => ({
  type: messageType,
  source_service: sourceService,
  payload,
});

/** One sample of a running simulation; `timestamp` in epoch ms; `id` its stream entry id, to resume from (docs/adr/0051). */
export const simulationMetricsMessage = (simulationId: string, sample: MetricSample, id: string): GatewayMessage => ({
  type: 'simulation_metrics',
  id,
  simulation_id: simulationId,
  ...sample,
});

/** Sent first to a new watcher: where the simulation stands. */
export const simulationStatusMessage = (snapshot: SimulationSnapshot): GatewayMessage => ({
  type: 'simulation_status',
  simulation_id: snapshot.simulationId,
  status: snapshot.status,
  progress_percentage: snapshot.progressPercentage,
});

/** Sent last to watchers: no more samples will come. */
export const simulationEndedMessage = (simulationId: string, status: string): GatewayMessage => ({
  type: 'simulation_completed',
  simulation_id: simulationId,
  status,
});

/** Data published on a `simulation:data:{id}` channel (nothing in this mesh publishes there; see the gateway ADR). */
export const simulationDataMessage = (simulationId: string, data: DomainEvent): GatewayMessage => ({
  type: 'simulation_data',
  simulation_id: simulationId,
  data,
});

/** A pub/sub event, as published. */
export const eventMessage = (channel: string, event: DomainEvent): GatewayMessage => ({ type: 'event', channel, event });

/** A job of `async:notifications:queue`. */
export const notifyMessage = (userId: string, notification: unknown): GatewayMessage => ({
  type: 'notify',
  user_id: userId,
  notification,
});

/** An entry of `notifications:stream:{user_id}`; `id` is the stream entry id. */
export const notificationMessage = (id: string, notification: StreamFields): GatewayMessage => ({
  type: 'notification',
  id,
  notification,
});

/** An event published on `notifications:user:{user_id}`. */
export const publishedNotificationMessage = (channel: string, notification: DomainEvent): GatewayMessage => ({
  type: 'notification',
  channel,
  notification,
});
