import type { DomainFailure } from '../shared/errors.js';
import { ok, type Result } from '../shared/result.js';
import type { ClientRegistry } from './client-registry.js';
import { connectedMessage, simulationEndedMessage, simulationStatusMessage } from './messages.js';
import type { ConnectedClient, Identity } from './model.js';
import type { NotificationFeeds } from './notification-feeds.js';
import type { ClientConnection, SimulationAccess } from './ports.js';
import type { SimulationFeeds } from './simulation-feeds.js';
import { simulationOfTopic, Topics } from './topics.js';

export interface LiveSessionsDeps {
  readonly registry: ClientRegistry;
  readonly simulations: SimulationAccess;
  readonly simulationFeeds: SimulationFeeds;
  readonly notificationFeeds: NotificationFeeds;
}

export interface LiveSessionInput {
  readonly clientId: string;
  readonly identity: Identity;
  readonly connection: ClientConnection;
  /** The id of the last stream entry the client saw before it reconnected: it resumes after it (docs/adr/0051). */
  readonly lastId?: string;
}

/** The sockets of this instance: what a watcher or an events client gets, and what its end releases. */
export class LiveSessions {
  constructor(private readonly deps: LiveSessionsDeps) {}

  /**
   * A watcher of one simulation, if its user may read it: it gets the simulation's status first,
   * then every new sample; a simulation already over is reported and the connection finished.
   */
  async watchSimulation(input: LiveSessionInput & { readonly simulationId: string }): Promise<Result<ConnectedClient, DomainFailure>> {
    const { registry, simulations, simulationFeeds } = this.deps;
    const snapshot = await simulations.readableSimulation(input.simulationId, input.identity.userId);
    if (!snapshot.ok) return snapshot;
    const registered = registry.register({
      clientId: input.clientId,
      userId: input.identity.userId,
      sessionId: input.identity.sessionId,
      subscriptions: [Topics.simulation(input.simulationId)],
      connectionType: 'websocket',
      connection: input.connection,
    });
    if (!registered.ok) return registered;
    input.connection.send([simulationStatusMessage(snapshot.value)], 'essential');
    if (input.lastId !== undefined) {
      simulationFeeds.resume(input.simulationId, input.clientId, input.lastId, snapshot.value.running ? undefined : snapshot.value.status);
    } else if (snapshot.value.running) {
      simulationFeeds.join(input.simulationId, input.clientId);
    } else {
      input.connection.send([simulationEndedMessage(input.simulationId, snapshot.value.status)], 'essential');
      input.connection.close('finished', `simulation ${snapshot.value.status}`);
    }
    return ok(registered.value);
  }

  /** An `/events` client: the user's inbox (routed messages, notifications) and the events feed. */
  openEvents(input: LiveSessionInput): Result<ConnectedClient, DomainFailure> {
    const { userId, sessionId } = input.identity;
    const registered = this.deps.registry.register({
      clientId: input.clientId,
      userId,
      sessionId,
      subscriptions: [Topics.userInbox(userId), Topics.events],
      connectionType: 'websocket',
      connection: input.connection,
    });
    if (!registered.ok) return registered;
    input.connection.send([connectedMessage(registered.value)], 'essential');
    if (input.lastId !== undefined) this.deps.notificationFeeds.resume(userId, input.clientId, input.lastId);
    else this.deps.notificationFeeds.join(userId, input.clientId);
    return registered;
  }

  /** The client is gone: forgets it and stops the readers nobody else needs. Idempotent. */
  end(clientId: string): void {
    const removed = this.deps.registry.unregister(clientId);
    if (!removed.ok) return;
    const { client } = removed.value;
    for (const topic of client.subscriptions) {
      const simulationId = simulationOfTopic(topic);
      if (simulationId !== undefined) this.deps.simulationFeeds.leave(simulationId, clientId);
      if (topic === Topics.userInbox(client.userId)) this.deps.notificationFeeds.leave(client.userId, clientId);
    }
  }

  /** Closes every connection of this instance (the gateway is stopping). */
  closeAll(): void {
    for (const { connection } of this.deps.registry.all()) connection?.close('shutdown', 'the gateway is stopping');
  }
}
