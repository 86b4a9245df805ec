/** How a client is connected to the gateway. */
export type ConnectionType = 'websocket' | 'http';

export const CONNECTION_TYPES: readonly ConnectionType[] = ['websocket', 'http'];

/** A client known to one gateway instance: a WebSocket it holds, or a session another service registered. */
export interface ConnectedClient {
  readonly clientId: string;
  readonly userId: string;
  /** The auth session of a WebSocket client; a gateway-made session id for a registered one. */
  readonly sessionId: string;
  /** Topics the client receives (see topics.ts), in the order given. */
  readonly subscriptions: readonly string[];
  readonly connectionType: ConnectionType;
  /** Epoch ms. */
  readonly connectedAt: number;
  /** Epoch ms of the last sign of life (a message, a pong, a re-registration). */
  readonly lastSeenAt: number;
  /** The gateway instance holding the client. */
  readonly instanceId: string;
}

/** Who a valid bearer token says the caller is. */
export interface Identity {
  readonly userId: string;
  readonly sessionId: string;
  readonly email: string;
  readonly isAdmin: boolean;
  readonly permissions: readonly string[];
}

/** Anything sent to a client: JSON with a `type`. */
export interface GatewayMessage {
  readonly type: string;
  readonly [field: string]: unknown;
}

/**
 * How a message may be treated by a client that cannot keep up: `live` data (metrics) may be
 * dropped in favour of newer data; `essential` messages (events, notifications) may not.
 */
export type MessagePriority = 'live' | 'essential';
