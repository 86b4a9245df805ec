import type { DomainFailure } from '../shared/errors.js';
import { err, ok, type Result } from '../shared/result.js';
import { invalidField, missingField } from './errors.js';
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
  /** The user whose clients receive it: their `/events` sockets, or every socket of theirs with `disconnect`. */
  readonly targetUserId: string;
  /** Instead of a user: this one client, whatever it is subscribed to. */
  readonly targetClientId?: string;
  /** With `targetUserId`: only the user's clients of this auth session. */
  readonly targetSessionId?: string;
  readonly messageType: string;
  /** Already decoded (JSON); the transport rejects what it cannot decode. */
  readonly payload: unknown;
  readonly sourceService: string;
  /** Closes the targeted sockets after the message (the session or the account ended: 4401). */
  readonly disconnect?: boolean;
}

export interface BroadcastMessageInput {
  /** Only clients subscribed to this topic; empty: every client. */
  readonly channel: string;
  readonly messageType: string;
  readonly payload: unknown;
  readonly sourceService: string;
  readonly excludeClientIds?: readonly string[];
}

/** Whether `client` is one the routed message is for. */
export const isRouteTarget = (input: RouteMessageInput, client: ConnectedClient): boolean => {
  if (input.targetClientId) return client.clientId === input.targetClientId;
  if (client.userId !== input.targetUserId) return false;
  if (input.targetSessionId && client.sessionId !== input.targetSessionId) return false;
  return input.disconnect === true || client.subscriptions.includes(Topics.userInbox(client.userId));
};

/** Whether `client` is one the broadcast is for. */
export const isBroadcastTarget = (input: BroadcastMessageInput, client: ConnectedClient): boolean =>
  (!input.channel || client.subscriptions.includes(input.channel)) && !(input.excludeClientIds ?? []).includes(client.clientId);

export const checkRegistration = (input: RegisterClientInput): Result<ConnectionType, DomainFailure> => {
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

export const checkRoute = (input: RouteMessageInput): Result<RouteMessageInput, DomainFailure> => {
  if (!input.targetUserId && !input.targetClientId) return err(missingField('target_user_id'));
  if (input.targetUserId && input.targetClientId) {
    return err(invalidField('target_client_id', 'names one client: leave target_user_id empty'));
  }
  if (input.targetSessionId && !input.targetUserId) return err(invalidField('target_session_id', 'needs target_user_id'));
  const type = checkMessageType(input.messageType);
  return type.ok ? ok(input) : type;
};

export const checkBroadcast = (input: BroadcastMessageInput): Result<BroadcastMessageInput, DomainFailure> => {
  const type = checkMessageType(input.messageType);
  return type.ok ? ok(input) : type;
};

const checkMessageType = (messageType: string): Result<string, DomainFailure> => {
  if (!messageType) return err(missingField('message_type'));
  if (messageType.length > MAX_MESSAGE_TYPE_LENGTH) {
    return err(invalidField('message_type', `is at most ${MAX_MESSAGE_TYPE_LENGTH} characters`));
  }
  return ok(messageType);
};
