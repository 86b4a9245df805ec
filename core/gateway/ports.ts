import type { DomainFailure } from '../shared/errors.js';
import type { Result } from '../shared/result.js';
import type { GatewayMessage, Identity, MessagePriority } from './model.js';

/** What a delivery attempt did: queued for the client, dropped (the client is behind), or not possible (closed). */
export type SendOutcome = 'accepted' | 'dropped' | 'closed';

/** Why the gateway ends a connection; each transport maps it to its own code. */
export type CloseReason =
  | 'finished' // nothing more to send (the simulation ended)
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'policy' // the client broke the protocol
  | 'lagging' // the client stayed too far behind
  | 'unavailable' // a dependency could not answer
  | 'too_many' // the user holds as many connections as allowed
  | 'shutdown'; // the gateway is stopping

/** The delivery side of one connected client (a WebSocket), so the domain is testable without sockets. */
export interface ClientConnection {
  /**
   * Hands messages to the client, in order, never blocking. `live` messages are dropped when the
   * client is behind (`dropped`); when it stays behind, or when `essential` messages would exceed
   * its bound, the connection closes itself (`closed`). Memory per client stays bounded either way.
   */
  send(messages: readonly GatewayMessage[], priority: MessagePriority): SendOutcome;
  /** Ends the connection; later sends answer `closed`. Idempotent. */
  close(reason: CloseReason, detail?: string): void;
}

/** Checks bearer tokens: the auth service over gRPC. */
export interface Authenticator {
  /**
   * The identity of a valid token. An invalid, expired or logged-out token is `unauthenticated`;
   * an auth service that cannot answer throws `DependencyUnavailableError` (never a denial, docs/adr/0027).
   */
  authenticate(token: string, requestId?: string): Promise<Result<Identity, DomainFailure>>;
}

/** What a watcher may know of a simulation before streaming it. */
export interface SimulationSnapshot {
  readonly simulationId: string;
  readonly status: string;
  /** False once the simulation completed, failed or was stopped: no more stream entries come. */
  readonly running: boolean;
  readonly progressPercentage: number;
}

/** Who may watch which simulation: the simulation service decides. */
export interface SimulationAccess {
  /**
   * The simulation when `userId` may read it; `not_found` for an unknown simulation, `forbidden`
   * for one of a project the user cannot read; throws `DependencyUnavailableError` when the service cannot answer.
   */
  readableSimulation(simulationId: string, userId: string): Promise<Result<SimulationSnapshot, DomainFailure>>;
}

/** Who may read which project: the project service decides. */
export interface ProjectAccess {
  /** True when `userId` may read the project, false when not (or it does not exist); throws `DependencyUnavailableError` when the service cannot answer. */
  canRead(projectId: string, userId: string): Promise<Result<boolean, DomainFailure>>;
}
