import { InMemoryEventBus } from '../../adapters/memory/in-memory-event-bus.js';
import { InMemoryStreamStore } from '../../adapters/memory/in-memory-stream-store.js';
import { StreamJobQueue } from '../../adapters/streams/stream-job-queue.js';
import { testLogger } from '../../test-support/test-logger.js';
import { ManualClock } from '../../test-support/core/manual-clock.js';
import { RandomIdGenerator } from '../../adapters/system/random-id-generator.js';
import { Streams } from '../../core/messaging/channels.js';
import type { DomainEvent } from '../../core/messaging/events.js';
import { DependencyUnavailableError, failure, type DomainFailure } from '../../core/shared/errors.js';
import { err, ok, type Result } from '../../core/shared/result.js';
import type { ConfigurationMap } from '../../core/simulation/configuration.js';
import type { SimulationSettings } from '../../core/simulation/settings.js';
import type { MetricSample } from '../../core/simulation/model/metric-sample.js';
import type { AuthorizationPort, PermissionDecision, ProjectDirectory, ProjectView } from '../../core/simulation/ports.js';
import { createSimulationService, type SimulationService } from '../../core/simulation/simulation-service.js';
import type { StartedSimulation, StartSimulationInput } from '../../core/simulation/start-simulation.js';
import { fromStreamFields } from '../../core/simulation/stream-fields.js';
import { ManualScheduler } from '../../test-support/core/manual-scheduler.js';
import type { OutboxRelay } from '../../core/messaging/outbox-relay.js';
import { outboxOf, startTestRelay } from '../support/outbox-relay.js';
import { waitFor } from '../messaging/wait.js';
import { anId, valueOf } from './builders.js';
import type { SimulationRepositoryFixture } from './simulation-repository.contract.js';

/** Projects by id, each with its owner, the users it is shared with and whether it is public. */
export class InMemoryProjectDirectory implements ProjectDirectory {
  private readonly projects = new Map<
    string,
    { readonly view: Omit<ProjectView, 'access'>; readonly shares: Map<string, 'editor' | 'viewer'>; isPublic: boolean }
  >();
  /** While true, every lookup throws `DependencyUnavailableError`. */
  down = false;

  add(ownerId: string, configuration: ConfigurationMap = {}): ProjectView {
    const view = { id: anId('project'), ownerId, configuration };
    this.projects.set(view.id, { view, shares: new Map(), isPublic: false });
    return { ...view, access: 'owner' };
  }

  share(projectId: string, userId: string, role: 'editor' | 'viewer' = 'viewer'): void {
    this.projects.get(projectId)?.shares.set(userId, role);
  }

  unshare(projectId: string, userId: string): void {
    this.projects.get(projectId)?.shares.delete(userId);
  }

  /** Every user may read the project (as `public` when it is not shared with them). */
  publish(projectId: string): void {
    const project = this.projects.get(projectId);
    if (project) project.isPublic = true;
  }

  async getProject(projectId: string, userId: string): Promise<Result<ProjectView, DomainFailure>> {
    if (this.down) throw new DependencyUnavailableError('project', 'Try again later');
    const project = this.projects.get(projectId);
    if (!project) return err(failure('not_found', 'project_not_found', `No project ${projectId}`));
    const access = project.view.ownerId === userId ? 'owner' : (project.shares.get(userId) ?? (project.isPublic ? 'public' : undefined));
    if (!access) return err(failure('forbidden', 'project_forbidden', 'Not your project'));
    return ok({ ...project.view, access });
  }
}

/**
 * A set of (user, permission, resource) grants, as the auth service decides: a grant without a
 * resource is a role permission and covers every resource; one with a resource covers only it.
 */
export class InMemoryGrants implements AuthorizationPort {
  private readonly grants = new Set<string>();
  down = false;

  grant(userId: string, permission: string, resourceId = '*'): void {
    this.grants.add(`${userId} ${permission} ${resourceId}`);
  }

  async checkPermission(userId: string, permission: string, resourceId?: string): Promise<PermissionDecision> {
    if (this.down) throw new DependencyUnavailableError('auth', 'auth is down');
    const allowed = this.grants.has(`${userId} ${permission} *`) || this.grants.has(`${userId} ${permission} ${resourceId}`);
    return allowed ? { allowed, reason: 'granted' } : { allowed, reason: `no ${permission} grant` };
  }
}

const SettleChannel = 'simulation:events:test-settle';

/** Every event published on `simulation:events:*`, in order. */
export class SimulationEventRecorder {
  private readonly received: { readonly channel: string; readonly event: DomainEvent }[] = [];
  private settles = 0;

  constructor(
    private readonly bus: InMemoryEventBus,
    private readonly relay: OutboxRelay,
  ) {}

  async start(): Promise<void> {
    await this.bus.subscribePattern('simulation:events:*', (event, channel) => {
      if (channel === SettleChannel) this.settles += 1;
      else this.received.push({ channel, event });
    });
  }

  /** Events of one channel (every channel when absent), once every event published so far has arrived. */
  async on(channel?: string): Promise<DomainEvent[]> {
    await this.relay.drain();
    const target = this.settles + 1;
    await this.bus.publish(SettleChannel, { type: 'settle', timestamp: 0 });
    await waitFor(() => this.settles >= target, 5_000, 'simulation events to be delivered');
    return this.received.filter((entry) => channel === undefined || entry.channel === channel).map((entry) => entry.event);
  }
}

/** A small cluster with no failures, so runs are quick and their numbers easy to reason about. */
export const QuietCluster: ConfigurationMap = {
  nodes: '2',
  services: '2',
  node_failure_rate: '0',
  load_profile: 'constant',
  request_rate: '200',
};

export interface SimulationHarness {
  readonly service: SimulationService;
  readonly fixture: SimulationRepositoryFixture;
  readonly clock: ManualClock;
  readonly scheduler: ManualScheduler;
  readonly projects: InMemoryProjectDirectory;
  readonly grants: InMemoryGrants;
  readonly events: SimulationEventRecorder;
  readonly streams: InMemoryStreamStore;
  readonly faults: { readonly error: unknown; readonly context: string }[];
  /** A user id (users are just ids here). */
  aUser(): string;
  /** A project of `ownerId` (QuietCluster unless given); the owner gets the `simulation:start` role permission. */
  aProjectOf(ownerId: string, configuration?: ConfigurationMap): ProjectView;
  /** Starts through the service (real-time, 2 s unless overridden); throws when the domain refuses. */
  start(userId: string, project: ProjectView, overrides?: Partial<StartSimulationInput>): Promise<StartedSimulation>;
  /** The samples in a simulation's stream, oldest first. */
  streamed(simulationId: string): Promise<MetricSample[]>;
  close(): Promise<void>;
}

export type SimulationHarnessFactory = (settings?: Partial<SimulationSettings>) => Promise<SimulationHarness>;

export const createSimulationHarness = async (
  fixture: SimulationRepositoryFixture,
  settings: Partial<SimulationSettings> = {},
): Promise<SimulationHarness> => {
  const clock = new ManualClock();
  const scheduler = new ManualScheduler(clock);
  const projects = new InMemoryProjectDirectory();
  const grants = new InMemoryGrants();
  const bus = new InMemoryEventBus();
  const streams = new InMemoryStreamStore(clock);
  // Completions also record an analytics job (docs/adr/0038): the relay queues it on the same store.
  const jobs = new StreamJobQueue(streams, clock, testLogger('simulation-harness'));
  const relay = startTestRelay(outboxOf(fixture.repo), { events: bus, streams, jobs });
  const events = new SimulationEventRecorder(bus, relay);
  await events.start();
  const faults: { error: unknown; context: string }[] = [];
  const service = createSimulationService({
    repository: fixture.repo,
    projects,
    authorization: grants,
    streams,
    scheduler,
    clock,
    ids: new RandomIdGenerator(),
    settings,
    reportFault: (error, context) => faults.push({ error, context }),
  });

  const aProjectOf: SimulationHarness['aProjectOf'] = (ownerId, configuration = QuietCluster) => {
    const project = projects.add(ownerId, configuration);
    grants.grant(ownerId, 'simulation:start');
    return project;
  };

  return {
    service,
    fixture,
    clock,
    scheduler,
    projects,
    grants,
    events,
    streams,
    faults,
    aUser: () => anId('user'),
    aProjectOf,
    start: async (userId, project, overrides = {}) =>
      valueOf(await service.startSimulation({ userId, projectId: project.id, durationSeconds: 2, enableRealTime: true, ...overrides })),
    streamed: async (simulationId) =>
      (await streams.range(Streams.simulation(simulationId), '-', '+')).map((entry) => fromStreamFields(entry.fields)!),
    close: async () => {
      await service.shutdown();
      await relay.stop();
      await jobs.close();
      await streams.close();
      await fixture.close();
    },
  };
};
