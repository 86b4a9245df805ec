import type { Clock } from '../shared/clock.js';
import type { DomainFailure } from '../shared/errors.js';
import type { IdGenerator } from '../shared/ids.js';
import { err, ok, type Result } from '../shared/result.js';
import { clientNotFound, clientTaken, sessionMismatch } from './errors.js';
import type { ConnectedClient, ConnectionType } from './model.js';
import type { ClientConnection } from './ports.js';

export interface ClientRegistration {
  readonly clientId: string;
  readonly userId: string;
  /** The auth session of the client; a fresh id is made when absent. */
  readonly sessionId?: string;
  readonly subscriptions: readonly string[];
  readonly connectionType: ConnectionType;
  /** Present when this instance holds the client's socket and can deliver to it. */
  readonly connection?: ClientConnection;
}

/** A registered client and, when this instance holds its socket, how to reach it. */
export interface RegisteredClient {
  readonly client: ConnectedClient;
  readonly connection: ClientConnection | undefined;
}

/** Told of every change to the registry, in order (the shared directory follows it: docs/adr/0052). */
export interface RegistryListener {
  /** A client was registered, or registered again with new subscriptions. */
  registered(client: ConnectedClient): void;
  unregistered(client: ConnectedClient): void;
  /** A sign of life of a client (its `lastSeenAt` moved). */
  touched(client: ConnectedClient): void;
}

interface Entry {
  client: ConnectedClient;
  readonly connection: ClientConnection | undefined;
}

/**
 * The clients of one gateway instance, indexed by user and by topic. A client id is unique in the
 * instance: registering it again for the same user and session updates its subscriptions (retries
 * are harmless); for anyone else it is a conflict. Iteration order is registration order.
 */
export class ClientRegistry {
  private readonly clients = new Map<string, Entry>();
  private readonly byUser = new Map<string, Set<string>>();
  private readonly byTopic = new Map<string, Set<string>>();
  private readonly listeners = new Set<RegistryListener>();

  constructor(
    readonly instanceId: string,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Tells `listener` of every change from now on; returns how to stop. */
  listen(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  register(registration: ClientRegistration): Result<ConnectedClient, DomainFailure> {
    const existing = this.clients.get(registration.clientId);
    if (existing) return this.reregister(existing, registration);
    const now = this.clock.now();
    const client: ConnectedClient = {
      clientId: registration.clientId,
      userId: registration.userId,
      sessionId: registration.sessionId ?? this.ids.next(),
      subscriptions: unique(registration.subscriptions),
      connectionType: registration.connectionType,
      connectedAt: now,
      lastSeenAt: now,
      instanceId: this.instanceId,
    };
    this.clients.set(client.clientId, { client, connection: registration.connection });
    addTo(this.byUser, client.userId, client.clientId);
    for (const topic of client.subscriptions) addTo(this.byTopic, topic, client.clientId);
    for (const listener of this.listeners) listener.registered(client);
    return ok(client);
  }

  /** Removes a client; when `sessionId` is given it must be the client's. */
  unregister(clientId: string, sessionId?: string): Result<RegisteredClient, DomainFailure> {
    const entry = this.clients.get(clientId);
    if (!entry) return err(clientNotFound(clientId));
    if (sessionId && sessionId !== entry.client.sessionId) return err(sessionMismatch(clientId));
    this.clients.delete(clientId);
    removeFrom(this.byUser, entry.client.userId, clientId);
    for (const topic of entry.client.subscriptions) removeFrom(this.byTopic, topic, clientId);
    for (const listener of this.listeners) listener.unregistered(entry.client);
    return ok({ client: entry.client, connection: entry.connection });
  }

  get(clientId: string): ConnectedClient | undefined {
    return this.clients.get(clientId)?.client;
  }

  /** A client and, when this instance holds its socket, how to reach it. */
  entry(clientId: string): RegisteredClient | undefined {
    const entry = this.clients.get(clientId);
    return entry ? registered(entry) : undefined;
  }

  /** Records a sign of life of the client. */
  touch(clientId: string): void {
    const entry = this.clients.get(clientId);
    if (!entry) return;
    entry.client = { ...entry.client, lastSeenAt: this.clock.now() };
    for (const listener of this.listeners) listener.touched(entry.client);
  }

  /** Every client, in registration order. */
  all(): RegisteredClient[] {
    return [...this.clients.values()].map(registered);
  }

  ofUser(userId: string): RegisteredClient[] {
    return this.pick(this.byUser.get(userId));
  }

  subscribedTo(topic: string): RegisteredClient[] {
    return this.pick(this.byTopic.get(topic));
  }

  /** Users with at least one client subscribed to `topic`. */
  usersSubscribedTo(topic: string): string[] {
    return [...new Set(this.subscribedTo(topic).map(({ client }) => client.userId))];
  }

  /** Clients holding an auth session (to end them when the session is logged out). */
  ofSession(sessionId: string): RegisteredClient[] {
    return this.all().filter(({ client }) => client.sessionId === sessionId);
  }

  private reregister(entry: Entry, registration: ClientRegistration): Result<ConnectedClient, DomainFailure> {
    const { client } = entry;
    const sameOwner = client.userId === registration.userId && (!registration.sessionId || registration.sessionId === client.sessionId);
    if (!sameOwner || entry.connection !== undefined || registration.connection !== undefined) {
      return err(clientTaken(client.clientId));
    }
    for (const topic of client.subscriptions) removeFrom(this.byTopic, topic, client.clientId);
    entry.client = {
      ...client,
      subscriptions: unique(registration.subscriptions),
      connectionType: registration.connectionType,
      lastSeenAt: this.clock.now(),
    };
    for (const topic of entry.client.subscriptions) addTo(this.byTopic, topic, client.clientId);
    for (const listener of this.listeners) listener.registered(entry.client);
    return ok(entry.client);
  }

  private pick(ids: ReadonlySet<string> | undefined): RegisteredClient[] {
    if (!ids) return [];
    return [...ids].flatMap((id) => {
      const entry = this.clients.get(id);
      return entry ? [registered(entry)] : [];
    });
  }
}

const registered = (entry: Entry): RegisteredClient => ({ client: entry.client, connection: entry.connection });

const unique = (values: readonly string[]): string[] => [...new Set(values.filter((value) => value !== ''))];

const addTo = (index: Map<string, Set<string>>, key: string, id: string): void => {
  const ids = index.get(key) ?? new Set<string>();
  ids.add(id);
  index.set(key, ids);
};

const removeFrom = (index: Map<string, Set<string>>, key: string, id: string): void => {
  const ids = index.get(key);
  if (!ids) return;
  ids.delete(id);
  if (ids.size === 0) index.delete(key);
};
