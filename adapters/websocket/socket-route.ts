import type { ClientConnection, Identity } from '../../core/gateway/index.js';
import type { DomainFailure } from '../../core/shared/errors.js';
import type { Result } from '../../core/shared/result.js';

/** An authenticated socket handed to a route: the hub has admitted, authenticated and counted it. */
export interface SocketRouteInput {
  readonly clientId: string;
  readonly identity: Identity;
  readonly connection: ClientConnection;
  /** The upgrade's URL (path and query). */
  readonly url: URL;
}

/** What a route does with the socket it opened. */
export interface SocketSession {
  /** A text message from the client other than the `{"type":"ping"}` keep-alive, parsed; undefined when it was not JSON. */
  receive(message: unknown): void;
  /** The socket closed (either side). Called once. */
  end(): void;
}

/**
 * A WebSocket path served beside `/simulation/stream` and `/events` by the same hub (origin check,
 * admission, token, per-user cap, heartbeat), with its own protocol: the collaboration socket is one
 * (docs/adr/0050). A refusal closes the socket with the failure's code.
 */
export interface SocketRoute {
  readonly path: string;
  open(input: SocketRouteInput): Promise<Result<SocketSession, DomainFailure>>;
}
