import { InMemoryCollaborationPresence } from '../../adapters/memory/in-memory-collaboration-presence.js';
import { InMemoryEventBus } from '../../adapters/memory/in-memory-event-bus.js';
import { InMemoryStreamStore } from '../../adapters/memory/in-memory-stream-store.js';
import { ManualClock } from '../../test-support/core/manual-clock.js';
import { RandomIdGenerator } from '../../adapters/system/random-id-generator.js';
import { StreamJobQueue } from '../../adapters/streams/stream-job-queue.js';
import { Queues } from '../../core/messaging/channels.js';
import { testLogger } from '../../test-support/test-logger.js';
import type { DomainEvent } from '../../core/messaging/events.js';
import type { StreamFields } from '../../core/messaging/streams.js';
import type { CreateProjectInput } from '../../core/project/create-project.js';
import type { Project, ShareRole } from '../../core/project/model.js';
import type { AuthorizationPort, PermissionDecision, UserDirectory } from '../../core/project/ports.js';
import { createProjectService, type ProjectService } from '../../core/project/service.js';
import type { OutboxRelay } from '../../core/messaging/outbox-relay.js';
import { waitFor } from '../messaging/wait.js';
import { outboxOf, startTestRelay } from '../support/outbox-relay.js';
import { anId } from './builders.js';
import type { ProjectRepositoryFixture } from './project-repository.contract.js';

/** Permissions by user, as the auth service grants them: every user holds the project permissions until one is revoked. */
export class InMemoryAuthorization implements AuthorizationPort {
  private readonly revoked = new Map<string, Map<string, string>>();

  revoke(userId: string, permission: string, reason = 'revoked by an administrator'): void {
    const revoked = this.revoked.get(userId) ?? new Map<string, string>();
    revoked.set(permission, reason);
    this.revoked.set(userId, revoked);
  }

  async checkPermission(userId: string, permission: string): Promise<PermissionDecision> {
    const reason = this.revoked.get(userId)?.get(permission);
    return reason === undefined ? { allowed: true, reason: '' } : { allowed: false, reason };
  }
}

/** Registered users by id and (case-insensitive) email. */
export class InMemoryUserDirectory implements UserDirectory {
  private readonly idsByEmail = new Map<string, string>();

  add(userId: string, email: string): void {
    this.idsByEmail.set(email.toLowerCase(), userId);
  }

  async findUserIdByEmail(email: string): Promise<string | undefined> {
    return this.idsByEmail.get(email.toLowerCase());
  }

  async userExists(userId: string): Promise<boolean> {
    return [...this.idsByEmail.values()].includes(userId);
  }
}

const SettleChannel = 'project:events:test-settle';

/** Every event published on `project:events:*`, in order. */
export class ProjectEventRecorder {
  private readonly received: { readonly channel: string; readonly event: DomainEvent }[] = [];
  private settles = 0;

  constructor(
    private readonly bus: InMemoryEventBus,
    private readonly relay: OutboxRelay,
  ) {}

  async start(): Promise<void> {
    await this.bus.subscribePattern('project:events:*', (event, channel) => {
      if (channel === SettleChannel) this.settles += 1;
      else this.received.push({ channel, event });
    });
  }

  /** Events of one channel (every channel when absent), once every event published so far has been delivered. */
  async on(channel?: string): Promise<DomainEvent[]> {
    await this.settle();
    return this.received.filter((entry) => channel === undefined || entry.channel === channel).map((entry) => entry.event);
  }

  // The bus delivers in publish order, so once a marker published now arrives, so has everything before it.
  private async settle(): Promise<void> {
    await this.relay.drain();
    const target = this.settles + 1;
    await this.bus.publish(SettleChannel, { type: 'settle', timestamp: 0 });
    await waitFor(() => this.settles >= target, 5_000, 'project events to be delivered');
  }
}

export interface ProjectHarness {
  readonly service: ProjectService;
  readonly fixture: ProjectRepositoryFixture;
  readonly clock: ManualClock;
  readonly authorization: InMemoryAuthorization;
  readonly users: InMemoryUserDirectory;
  readonly events: ProjectEventRecorder;
  /** The fields of every entry of a stream, oldest first. */
  streamEntries(stream: string): Promise<StreamFields[]>;
  /** The type and payload of every job enqueued on `async:email:queue`, oldest first. */
  emailJobs(): Promise<{ readonly type: string; readonly payload: Record<string, unknown> }[]>;
  /** A registered user's id (with email `<id>@example.test`). */
  aUser(): string;
  /** A project created through the service by `ownerId`; then the clock moves on a second. */
  aProjectOf(ownerId: string, overrides?: Partial<CreateProjectInput>): Promise<Project>;
  /** Shares through the service; throws when the domain refuses. */
  share(project: Project, targetUserId: string, role: ShareRole): Promise<void>;
  close(): Promise<void>;
}

export type ProjectHarnessFactory = () => Promise<ProjectHarness>;

/** The harness's edit window (docs/adr/0063): small, so that a test outruns it in a few edits. */
export const HARNESS_EDIT_WINDOW = 4;

export const createProjectHarness = async (fixture: ProjectRepositoryFixture): Promise<ProjectHarness> => {
  const clock = new ManualClock();
  const authorization = new InMemoryAuthorization();
  const users = new InMemoryUserDirectory();
  const bus = new InMemoryEventBus();
  const streams = new InMemoryStreamStore(clock);
  const jobs = new StreamJobQueue(streams, clock, testLogger('project-harness'));
  const relay = startTestRelay(outboxOf(fixture.repo), { events: bus, streams, jobs });
  const events = new ProjectEventRecorder(bus, relay);
  await events.start();
  const service = createProjectService({
    projects: fixture.repo,
    presence: new InMemoryCollaborationPresence(),
    presenceTtlMs: 30_000,
    editWindow: HARNESS_EDIT_WINDOW,
    authorization,
    users,
    events: bus,
    streams,
    clock,
    ids: new RandomIdGenerator(),
  });

  const aUser = (): string => {
    const userId = anId('user');
    users.add(userId, `${userId}@example.test`);
    return userId;
  };

  const aProjectOf: ProjectHarness['aProjectOf'] = async (ownerId, overrides = {}) => {
    const created = await service.createProject({ userId: ownerId, name: 'Capacity plan', ...overrides });
    if (!created.ok) throw new Error(`createProject failed: ${created.error.code}`);
    clock.advance(1_000);
    return created.value;
  };

  const share: ProjectHarness['share'] = async (project, targetUserId, role) => {
    const shared = await service.shareProject({
      projectId: project.id,
      userId: project.ownerId,
      target: { userId: targetUserId },
      role,
    });
    if (!shared.ok) throw new Error(`shareProject failed: ${shared.error.code}`);
  };

  return {
    service,
    fixture,
    clock,
    authorization,
    users,
    events,
    streamEntries: async (stream) => {
      await relay.drain();
      return (await streams.range(stream, '-', '+')).map((entry) => entry.fields);
    },
    emailJobs: async () => {
      await relay.drain();
      return (await streams.range(Queues.email, '-', '+')).map((entry) => ({
        type: entry.fields.type ?? '',
        payload: JSON.parse(entry.fields.payload ?? '{}') as Record<string, unknown>,
      }));
    },
    aUser,
    aProjectOf,
    share,
    close: async () => {
      await relay.stop();
      await streams.close();
      await fixture.close();
    },
  };
};
