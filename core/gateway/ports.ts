import type { DomainFailure } from '../shared/errors.js';
import type { Result } from '../shared/result.js';
import type { BroadcastMessageInput, RouteMessageInput, UnregisterClientInput } from './gateway-inputs.js';
import type { ConnectedClient, GatewayMessage, Identity, MessagePriority } from './model.js';

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

/**
 * The clients of every gateway instance, shared by all of them (docs/adr/0052): each instance
 * writes only its own entries, and they expire unless the instance refreshes them, so the clients
 * of an instance that died disappear within the expiry. On Redis when the mesh runs on Redis,
 * else in the process. Every method throws `DependencyUnavailableError` when the store cannot answer.
 */
export interface ClientDirectory {
  /** Adds or replaces these clients of `instanceId` (each one's `instanceId` is it); the instance's entries then live `ttlMs`. */
  put(instanceId: string, clients: readonly ConnectedClient[], ttlMs: number): Promise<void>;
  /** Removes a client of `instanceId`; removing one that is not there is harmless. */
  remove(instanceId: string, clientId: string): Promise<void>;
  /** Replaces every entry of `instanceId` with `clients` at once (empty: the instance leaves); they live `ttlMs`. */
  replace(instanceId: string, clients: readonly ConnectedClient[], ttlMs: number): Promise<void>;
  /** The entries of `instanceId` live `ttlMs` from now; false when it has none (expired, never written, or all removed). */
  refresh(instanceId: string, ttlMs: number): Promise<boolean>;
  /** Every live entry of every instance, in no particular order. */
  list(): Promise<ConnectedClient[]>;
  /** The live entry of `clientId` on any instance; undefined when none holds it. */
  find(clientId: string): Promise<ConnectedClient | undefined>;
}

/** What one gateway instance reports of a delivery it made for another. */
export interface PeerDelivery {
  readonly clientCount: number;
}

/**
 * The other gateway instances, asked to act on the clients they hold (docs/adr/0052). Each call
 * reaches the one instance named, or none: it is never answered by another. Throws
 * `DependencyUnavailableError` when that instance cannot answer.
 */
export interface GatewayPeers {
  /** Delivers a routed message on `instanceId` only. */
  route(instanceId: string, input: RouteMessageInput): Promise<Result<PeerDelivery, DomainFailure>>;
  /** Delivers a broadcast on `instanceId` only. */
  broadcast(instanceId: string, input: BroadcastMessageInput): Promise<Result<PeerDelivery, DomainFailure>>;
  /** Ends a client `instanceId` holds; `not_found` when it holds none of that id. */
  unregister(instanceId: string, input: UnregisterClientInput): Promise<Result<void, DomainFailure>>;
}
