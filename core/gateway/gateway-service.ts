import type { DomainFailure } from '../shared/errors.js';
import { err, ok, type Result } from '../shared/result.js';
import type { ClientRegistry } from './client-registry.js';
import { connectedClients, type ConnectedClientsPage, type ConnectedClientsQuery } from './connected-clients.js';
import { deliver, type DeliveryReport } from './delivery.js';
import { clientNotFound, invalidField, missingField } from './errors.js';
import { relayedMessage } from './messages.js';
import { CONNECTION_TYPES, type ConnectedClient, type ConnectionType } from './model.js';
import { Topics } from './topics.js';

export const MAX_SUBSCRIPTIONS = 100;
export const MAX_TOPIC_LENGTH = 200;
export const MAX_MESSAGE_TYPE_LENGTH = 100;

export interface RegisterClientInput {
  readonly clientId: string;
  readonly userId: string;
  readonly subscriptions: readonly string[];
  readonly connectionType: string;
}

export interface UnregisterClientInput {
  readonly clientId: string;
  /** When given, must be the client's session. */
  readonly sessionId?: string;
}

export interface RouteMessageInput {
  readonly targetUserId: string;
  readonly messageType: string;
  /** Already decoded (JSON); the transport rejects what it cannot decode. */
  readonly payload: unknown;
  readonly sourceService: string;
}

export interface BroadcastMessageInput {
  /** Only clients subscribed to this topic; empty: every client. */
  readonly channel: string;
  readonly messageType: string;
  readonly payload: unknown;
  readonly sourceService: string;
  readonly excludeClientIds?: readonly string[];
}

/** The gateway's own use cases, over the clients of this instance (the gRPC GatewayService). */
export interface GatewayService {
  /** Records a session another service holds for a client; registering again for the same owner is harmless. */
  registerClient(input: RegisterClientInput): Result<ConnectedClient, DomainFailure>;
  unregisterClient(input: UnregisterClientInput): Result<ConnectedClient, DomainFailure>;
  /** Delivers to the user's clients on this instance that receive direct messages (their `/events` sockets). */
  routeMessage(input: RouteMessageInput): Result<DeliveryReport, DomainFailure>;
  broadcastMessage(input: BroadcastMessageInput): Result<DeliveryReport, DomainFailure>;
  connectedClients(query: ConnectedClientsQuery): Result<ConnectedClientsPage, DomainFailure>;
  clientInfo(clientId: string): Result<ConnectedClient, DomainFailure>;
}

export const createGatewayService = (registry: ClientRegistry): GatewayService => ({
  registerClient: (input) => {
    const checked = checkRegistration(input);
    if (!checked.ok) return checked;
    return registry.register({
      clientId: input.clientId,
      userId: input.userId,
      subscriptions: input.subscriptions,
      connectionType: checked.value,
    });
  },

  unregisterClient: ({ clientId, sessionId }) => {
    if (!clientId) return err(missingField('client_id'));
    const removed = registry.unregister(clientId, sessionId);
    if (!removed.ok) return removed;
    removed.value.connection?.close('finished', 'unregistered');
    return ok(removed.value.client);
  },

  routeMessage: (input) => {
    if (!input.targetUserId) return err(missingField('target_user_id'));
    const type = checkMessageType(input.messageType);
    if (!type.ok) return type;
    const message = relayedMessage(input.messageType, input.sourceService, input.payload);
    return ok(deliver(registry.subscribedTo(Topics.userInbox(input.targetUserId)), [message], 'essential'));
  },

  broadcastMessage: (input) => {
    const type = checkMessageType(input.messageType);
    if (!type.ok) return type;
    const message = relayedMessage(input.messageType, input.sourceService, input.payload);
    const targets = input.channel ? registry.subscribedTo(input.channel) : registry.all();
    return ok(deliver(targets, [message], 'essential', new Set(input.excludeClientIds ?? [])));
  },

  connectedClients: (query) => connectedClients(registry, query),

  clientInfo: (clientId) => {
    if (!clientId) return err(missingField('client_id'));
    const client = registry.get(clientId);
    return client ? ok(client) : err(clientNotFound(clientId));
  },
});

const checkRegistration = (input: RegisterClientInput): Result<ConnectionType, DomainFailure> => {
  if (!input.clientId) return err(missingField('client_id'));
  if (!input.userId) return err(missingField('user_id'));
  const type = CONNECTION_TYPES.find((candidate) => candidate === input.connectionType);
  if (!type) return err(invalidField('connection_type', `must be one of ${CONNECTION_TYPES.join(', ')}`));
  if (input.subscriptions.length > MAX_SUBSCRIPTIONS) {
    return err(invalidField('subscriptions', `may hold at most ${MAX_SUBSCRIPTIONS} topics`));
  }
  if (input.subscriptions.some((topic) => topic.length > MAX_TOPIC_LENGTH)) {
    return err(invalidField('subscriptions', `topics are at most ${MAX_TOPIC_LENGTH} characters`));
  }
  return ok(type);
};

const checkMessageType = (messageType: string): Result<string, DomainFailure> => {
  if (!messageType) return err(missingField('message_type'));
  if (messageType.length > MAX_MESSAGE_TYPE_LENGTH) {
    return err(invalidField('message_type', `is at most ${MAX_MESSAGE_TYPE_LENGTH} characters`));
  }
  return ok(messageType);
};
