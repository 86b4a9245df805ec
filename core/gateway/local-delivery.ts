import type { DomainFailure } from '../shared/errors.js';
import { ok, type Result } from '../shared/result.js';
import type { ClientRegistry, RegisteredClient } from './client-registry.js';
import { deliver, type DeliveryReport } from './delivery.js';
import { isBroadcastTarget, isRouteTarget, type BroadcastMessageInput, type RouteMessageInput } from './gateway-inputs.js';
import { relayedMessage } from './messages.js';
import type { ConnectedClient } from './model.js';

/** What the clients of this instance get of a routed message; `disconnect` closes the sockets that took it. */
export const routeLocally = (registry: ClientRegistry, input: RouteMessageInput): DeliveryReport => {
  const candidates = input.targetClientId ? registeredOne(registry, input.targetClientId) : registry.ofUser(input.targetUserId);
  const targets = candidates.filter(({ client }) => isRouteTarget(input, client));
  const report = deliver(targets, [relayedMessage(input.messageType, input.sourceService, input.payload)], 'essential');
  if (input.disconnect) {
    for (const { connection } of targets) connection?.close('unauthenticated', input.messageType);
  }
  return report;
};

/** What the clients of this instance get of a broadcast. */
export const broadcastLocally = (registry: ClientRegistry, input: BroadcastMessageInput): DeliveryReport => {
  const candidates = input.channel ? registry.subscribedTo(input.channel) : registry.all();
  const targets = candidates.filter(({ client }) => isBroadcastTarget(input, client));
  return deliver(targets, [relayedMessage(input.messageType, input.sourceService, input.payload)], 'essential');
};

/** Ends a client of this instance, closing its socket; when `sessionId` is given it must be the client's. */
export const unregisterLocally = (
  registry: ClientRegistry,
  clientId: string,
  sessionId?: string,
): Result<ConnectedClient, DomainFailure> => {
  const removed = registry.unregister(clientId, sessionId);
  if (!removed.ok) return removed;
  removed.value.connection?.close('finished', 'unregistered');
  return ok(removed.value.client);
};

const registeredOne = (registry: ClientRegistry, clientId: string): RegisteredClient[] => {
  const entry = registry.entry(clientId);
  return entry ? [entry] : [];
};
