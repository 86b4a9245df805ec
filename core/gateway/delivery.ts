import type { RegisteredClient } from './client-registry.js';
import type { GatewayMessage, MessagePriority } from './model.js';

/** How many clients took a message. */
export interface DeliveryReport {
  readonly delivered: boolean;
  readonly clientCount: number;
}

/**
 * Hands `messages` to every client with a connection on this instance (registered sessions
 * without one are skipped) and counts those that accepted them.
 */
export const deliver = (
  targets: readonly RegisteredClient[],
  messages: readonly GatewayMessage[],
  priority: MessagePriority,
  excluded: ReadonlySet<string> = new Set(),
): DeliveryReport => {
  let clientCount = 0;
  if (messages.length === 0) return { delivered: false, clientCount };
  for (const { client, connection } of targets) {
    if (!connection || excluded.has(client.clientId)) continue;
    if (connection.send(messages, priority) === 'accepted') clientCount += 1;
  }
  return { delivered: clientCount > 0, clientCount };
};
