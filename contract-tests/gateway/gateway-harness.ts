import { InMemoryClientDirectory } from '../../adapters/memory/in-memory-client-directory.js';
import { InMemoryStreamStore } from '../../adapters/memory/in-memory-stream-store.js';
import { ManualClock } from '../../test-support/core/manual-clock.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import {
  ClientRegistry,
  createEventRouter,
  createGatewayService,
  DirectorySync,
  LiveSessions,
  NotificationFeeds,
  ReadAccessCache,
  SimulationFeeds,
  StreamFanOut,
  type Authenticator,
  type EventRouter,
  type GatewayService,
  type Identity,
  type ProjectAccess,
  type SimulationAccess,
  type SimulationSnapshot,
} from '../../core/gateway/index.js';
import { Streams } from '../../core/messaging/channels.js';
import { failure, type DomainFailure } from '../../core/shared/errors.js';
import { err, ok, type Result } from '../../core/shared/result.js';
import { toStreamFields, type MetricSample } from '../../core/simulation/index.js';
import { InProcessGatewayPeers } from './in-process-peers.js';
import { RecordingConnection } from './recording-connection.js';

/** Simulations by id with their readers, as the simulation service would answer. */
export class InMemorySimulationAccess implements SimulationAccess {
  private readonly simulations = new Map<string, { status: string; readers: Set<string> }>();

  add(simulationId: string, readers: readonly string[], status = 'running'): void {
    this.simulations.set(simulationId, { status, readers: new Set(readers) });
  }

  async readableSimulation(simulationId: string, userId: string): Promise<Result<SimulationSnapshot, DomainFailure>> {
    const simulation = this.simulations.get(simulationId);
    if (!simulation) return err(failure('not_found', 'simulation_not_found', `No simulation ${simulationId}.`));
    if (!simulation.readers.has(userId)) return err(failure('forbidden', 'simulation_forbidden', 'Not yours.'));
    return ok({ simulationId, status: simulation.status, running: simulation.status === 'running', progressPercentage: 0 });
  }
}

/** Bearer tokens issued by hand: a token is valid while it is in the table. */
export class InMemoryAuthenticator implements Authenticator {
  private readonly identities = new Map<string, Identity>();

  issue(token: string, identity: Identity): void {
    this.identities.set(token, identity);
  }

  async authenticate(token: string): Promise<Result<Identity, DomainFailure>> {
    const identity = this.identities.get(token);
    return identity ? ok(identity) : err(failure('unauthenticated', 'token_invalid', 'The bearer token is not valid.'));
  }
}

/** Projects by id with their readers, as the project service would answer. */
export class InMemoryProjectAccess implements ProjectAccess {
  readonly readers = new Map<string, Set<string>>();
  asked = 0;

  async canRead(projectId: string, userId: string): Promise<Result<boolean, DomainFailure>> {
    this.asked += 1;
    return ok(this.readers.get(projectId)?.has(userId) ?? false);
  }
}

/** The gateway domain of one instance over in-memory adapters, as the composition root wires it. */
export interface GatewayInstance {
  readonly registry: ClientRegistry;
  readonly service: GatewayService;
  readonly fanOut: StreamFanOut;
  readonly simulationFeeds: SimulationFeeds;
  readonly notificationFeeds: NotificationFeeds;
  readonly sessions: LiveSessions;
  readonly router: EventRouter;
  /** Keeps the shared directory in step with `registry`. */
  readonly directorySync: DirectorySync;
  readonly faults: unknown[];
}

/** How long directory entries live in the harness (its clock is manual: they expire only when it is advanced). */
export const HARNESS_DIRECTORY_TTL_MS = 30_000;

export interface GatewayHarness {
  readonly clock: ManualClock;
  readonly streams: InMemoryStreamStore;
  readonly simulations: InMemorySimulationAccess;
  readonly projects: InMemoryProjectAccess;
  /** The client directory every instance shares. */
  readonly directory: InMemoryClientDirectory;
  /** How instances reach each other; mark one `down` to make it unreachable. */
  readonly peers: InProcessGatewayPeers;
  /** A gateway instance on the shared stream store (call it twice for two instances). */
  instance(instanceId?: string): GatewayInstance;
  /** An identity for a user id. */
  identity(userId: string): Identity;
  /** An `/events` client of `userId` on `instance`, registered and connected. */
  eventsClient(instance: GatewayInstance, userId: string, clientId?: string): RecordingConnection;
  /** Resolves once every instance's directory writes so far are done. */
  settled(): Promise<void>;
  /** Appends samples to a simulation's stream; returns their steps. */
  appendSamples(simulationId: string, steps: readonly number[]): Promise<void>;
  close(): Promise<void>;
}

let clients = 0;

/** A metric sample at `step` (timestamp in ms; the stream carries it in ns). */
export const aSample = (step: number, timestamp = 1_750_000_000_000 + step * 100): MetricSample => ({
  timestamp,
  nodes_active: 3,
  nodes_failed: 0,
  pods_running: 12,
  services_healthy: 4,
  cpu_total: 2.5,
  memory_total: 8,
  network_in: 1_000,
  network_out: 2_000,
  requests_per_sec: 150,
  avg_latency: 12.5,
  error_rate: 0.01,
  simulation_step: step,
});

export const createGatewayHarness = (): GatewayHarness => {
  const clock = new ManualClock();
  const streams = new InMemoryStreamStore();
  const simulations = new InMemorySimulationAccess();
  const projects = new InMemoryProjectAccess();
  const directory = new InMemoryClientDirectory(clock);
  const peers = new InProcessGatewayPeers();
  const instances: GatewayInstance[] = [];
  let ids = 0;
  return {
    clock,
    streams,
    simulations,
    projects,
    directory,
    peers,
    instance: (instanceId = `gw-${instances.length + 1}`) => {
      const registry = new ClientRegistry(instanceId, clock, { next: () => `session-${++ids}` });
      const faults: unknown[] = [];
      const fanOut = new StreamFanOut(
        {
          streams,
          clock: new SystemClock(),
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          reportFault: (error) => faults.push(error),
        },
        { blockMs: 50, retryDelayMs: 20, startBackMs: 0 },
      );
      const simulationFeeds = new SimulationFeeds(registry, fanOut);
      const notificationFeeds = new NotificationFeeds(registry, fanOut);
      const access = new ReadAccessCache(projects, clock);
      const service = createGatewayService({ registry, directory, peers, reportFault: (error) => faults.push(error) });
      peers.add(instanceId, service);
      const instance: GatewayInstance = {
        registry,
        service,
        fanOut,
        simulationFeeds,
        notificationFeeds,
        sessions: new LiveSessions({ registry, simulations, simulationFeeds, notificationFeeds }),
        router: createEventRouter({ registry, access, simulations: simulationFeeds }),
        directorySync: new DirectorySync(registry, directory, { ttlMs: HARNESS_DIRECTORY_TTL_MS }, (error) => faults.push(error)),
        faults,
      };
      instances.push(instance);
      return instance;
    },
    identity: (userId) => ({
      userId,
      sessionId: `auth-session-of-${userId}`,
      email: `${userId}@example.test`,
      isAdmin: false,
      permissions: [],
    }),
    eventsClient(instance, userId, clientId = `client-${++clients}`) {
      const connection = new RecordingConnection();
      const opened = instance.sessions.openEvents({ clientId, identity: this.identity(userId), connection });
      if (!opened.ok) throw new Error(`could not open an events client: ${opened.error.message}`);
      return connection;
    },
    settled: async () => {
      await Promise.all(instances.map((instance) => instance.directorySync.settled()));
    },
    appendSamples: async (simulationId, steps) => {
      await streams.appendBatch(
        Streams.simulation(simulationId),
        steps.map((step) => toStreamFields(aSample(step))),
      );
    },
    close: async () => {
      await Promise.all(instances.map((instance) => instance.fanOut.close()));
      await streams.close();
    },
  };
};
