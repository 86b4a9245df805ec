import { randomUUID } from 'node:crypto';
import type { AuthConfig } from '../../core/auth/deps.js';
import type { Profile } from '../../core/auth/model.js';
import type {
  AnnouncementRepository,
  AuditLog,
  LoginFailureLog,
  PasswordHasher,
  RefreshTokenRepository,
  ResourceGrantRepository,
  SessionRepository,
  UserRepository,
} from '../../core/auth/ports.js';
import { createAuthService, type AuthService } from '../../core/auth/service.js';
import type { DomainEvent } from '../../core/messaging/events.js';
import type { Job, JobQueue, NewJob, Worker } from '../../core/messaging/work-queue.js';
import { BoundedPasswordHasher, type PasswordHashingBounds } from '../../adapters/crypto/bounded-password-hasher.js';
import { JoseTokenIssuer } from '../../adapters/crypto/jose-token-issuer.js';
import { RandomOpaqueTokens } from '../../adapters/crypto/random-opaque-tokens.js';
import { ScryptPasswordHasher } from '../../adapters/crypto/scrypt-password-hasher.js';
import { LogEmailSender } from '../../adapters/email/log-email-sender.js';
import { InMemoryLoginFailureLog } from '../../adapters/memory/in-memory-login-failure-log.js';
import { InMemoryRefreshTokenRepository } from '../../adapters/memory/in-memory-refresh-token-repository.js';
import { InMemoryEventBus } from '../../adapters/memory/in-memory-event-bus.js';
import { InMemoryAnnouncementRepository } from '../../adapters/memory/in-memory-announcement-repository.js';
import { InMemoryAuditLog } from '../../adapters/memory/in-memory-audit-log.js';
import { InMemoryOutbox } from '../../adapters/memory/in-memory-outbox.js';
import { InMemoryResourceGrantRepository } from '../../adapters/memory/in-memory-resource-grant-repository.js';
import { InMemorySessionRepository } from '../../adapters/memory/in-memory-session-repository.js';
import { InMemoryUserRepository } from '../../adapters/memory/in-memory-user-repository.js';
import { ManualClock } from '../../test-support/core/manual-clock.js';
import { RandomIdGenerator } from '../../adapters/system/random-id-generator.js';
import { waitFor } from '../messaging/wait.js';
import { outboxOf, startTestRelay } from '../support/outbox-relay.js';

/** The repositories under test; everything else in the harness is in-memory. */
export interface AuthRepositories {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly grants: ResourceGrantRepository;
  /**
   * Written by `users` and `announcements` with their changes, as the service wires them. When not
   * given: the in-memory user repository's own log, and announcements in memory on its log and outbox.
   */
  readonly audit?: AuditLog;
  readonly announcements?: AnnouncementRepository;
  /** In memory when not given. */
  readonly refreshTokens?: RefreshTokenRepository;
  close(): Promise<void>;
}

/** The in-memory repositories as the auth module wires them: one outbox and one audit log behind users, sessions, grants and announcements. */
export const inMemoryAuthRepositories = (): AuthRepositories & Required<Pick<AuthRepositories, 'audit' | 'announcements'>> => {
  const outbox = new InMemoryOutbox();
  const audit = new InMemoryAuditLog();
  return {
    users: new InMemoryUserRepository(outbox, audit),
    sessions: new InMemorySessionRepository(outbox),
    grants: new InMemoryResourceGrantRepository(outbox),
    audit,
    announcements: new InMemoryAnnouncementRepository(audit, outbox),
    close: async () => {},
  };
};

/** A JobQueue that only records what is enqueued (the test hands jobs to the handler itself). */
export class RecordingJobQueue implements JobQueue {
  readonly jobs: Job[] = [];

  async enqueue(queue: string, job: NewJob): Promise<string> {
    const id = `job-${this.jobs.length + 1}`;
    this.jobs.push({ id, queue, type: job.type, payload: structuredClone(job.payload), enqueuedAt: Date.now(), attempt: 1 });
    return id;
  }

  async work(): Promise<Worker> {
    throw new Error('RecordingJobQueue runs no workers');
  }

  async deadLetters(): Promise<Job[]> {
    return [];
  }
}

/** Wraps a PasswordHasher and counts verifications, to show both failed-login paths verify once. */
export class CountingPasswordHasher implements PasswordHasher {
  verifications = 0;

  constructor(private readonly inner: PasswordHasher) {}

  hash(password: string): Promise<string> {
    return this.inner.hash(password);
  }

  verify(password: string, hash: string): Promise<boolean> {
    this.verifications += 1;
    return this.inner.verify(password, hash);
  }
}

const SettleChannel = 'auth:events:test-settle';

/** Every event published on `auth:events:*`, in order. */
export class AuthEventRecorder {
  readonly received: { readonly channel: string; readonly event: DomainEvent }[] = [];
  private settles = 0;

  /** `flush` sends what the service recorded but has not published yet (its outbox relay). */
  constructor(
    private readonly bus: InMemoryEventBus,
    private readonly flush: () => Promise<void> = async () => {},
  ) {}

  async start(): Promise<void> {
    await this.bus.subscribePattern('auth:events:*', (event, channel) => {
      if (channel === SettleChannel) this.settles += 1;
      else this.received.push({ channel, event });
    });
    await this.bus.subscribePattern('system:*', (event, channel) => {
      this.received.push({ channel, event });
    });
  }

  /** Events of one channel, once every event published so far has been delivered. */
  async on(channel: string): Promise<DomainEvent[]> {
    await this.settle();
    return this.received.filter((entry) => entry.channel === channel).map((entry) => entry.event);
  }

  // The bus delivers in publish order, so once a marker published now arrives, so has everything before it.
  private async settle(): Promise<void> {
    await this.flush();
    const target = this.settles + 1;
    await this.bus.publish(SettleChannel, { type: 'settle', timestamp: 0 });
    await waitFor(() => this.settles >= target, 5_000, 'auth events to be delivered');
  }
}

export const StrongPassword = 'correct horse battery';

export interface AuthHarness {
  readonly service: AuthService;
  readonly repos: AuthRepositories;
  readonly clock: ManualClock;
  readonly tokens: JoseTokenIssuer;
  readonly passwords: CountingPasswordHasher;
  readonly email: LogEmailSender;
  readonly jobs: RecordingJobQueue;
  readonly events: AuthEventRecorder;
  /** Registers a user (unique email unless given) and returns the profile. */
  registerUser(overrides?: { email?: string; password?: string; name?: string }): Promise<Profile>;
  /** Registers and logs in a user; returns the profile and the token. */
  loggedInUser(overrides?: { email?: string }): Promise<{ user: Profile; token: string; sessionId: string }>;
  /** Resolves once what the writes so far recorded in the outbox has been sent (docs/adr/0038). */
  relayed(): Promise<void>;
  /** Stops the outbox relay and closes the repositories. */
  close(): Promise<void>;
}

let userCounter = 0;

/** Builds a harness on fresh repositories; the suites close them after each test. */
export type AuthHarnessFactory = (config?: Partial<AuthConfig>) => Promise<AuthHarness>;

/** What a harness may run on instead of its in-memory defaults. */
export interface AuthHarnessOptions {
  /** Default: an InMemoryLoginFailureLog. */
  readonly loginFailures?: LoginFailureLog;
  /** scrypt N; default 2^10 (fast). */
  readonly passwordHashCost?: number;
  /** Puts the hasher on a bounded pool, as the auth service does; default unbounded. */
  readonly passwordHashing?: PasswordHashingBounds;
}

export const createAuthHarness = async (
  repos: AuthRepositories,
  config: Partial<AuthConfig> = {},
  options: AuthHarnessOptions = {},
): Promise<AuthHarness> => {
  const clock = new ManualClock();
  const tokens = await JoseTokenIssuer.create({ clock });
  const scrypt = new ScryptPasswordHasher({ N: options.passwordHashCost ?? 2 ** 10 });
  const passwords = new CountingPasswordHasher(
    options.passwordHashing ? new BoundedPasswordHasher(scrypt, options.passwordHashing) : scrypt,
  );
  const email = new LogEmailSender();
  const jobs = new RecordingJobQueue();
  const bus = new InMemoryEventBus();
  const relay = startTestRelay(outboxOf(repos.users), { events: bus, jobs });
  const events = new AuthEventRecorder(bus, () => relay.drain());
  await events.start();
  const memoryUsers = repos.users instanceof InMemoryUserRepository ? repos.users : undefined;
  const audit = repos.audit ?? memoryUsers?.audit ?? new InMemoryAuditLog();
  const announcements =
    repos.announcements ??
    new InMemoryAnnouncementRepository(audit instanceof InMemoryAuditLog ? audit : new InMemoryAuditLog(), memoryUsers?.outbox);
  const service = createAuthService({
    ...repos,
    audit,
    announcements,
    passwords,
    tokens,
    refreshTokens: repos.refreshTokens ?? new InMemoryRefreshTokenRepository(),
    opaqueTokens: new RandomOpaqueTokens(),
    email,
    jobs,
    clock,
    ids: new RandomIdGenerator(),
    loginFailures: options.loginFailures ?? new InMemoryLoginFailureLog(),
    config,
  });

  const registerUser: AuthHarness['registerUser'] = async (overrides = {}) => {
    userCounter += 1;
    const registered = await service.register({
      email: overrides.email ?? `user${userCounter}-${randomUUID().slice(0, 8)}@example.test`,
      password: overrides.password ?? StrongPassword,
      name: overrides.name ?? `User ${userCounter}`,
    });
    if (!registered.ok) throw new Error(`registration failed: ${registered.error.code}`);
    await relay.drain();
    return registered.value;
  };

  const loggedInUser: AuthHarness['loggedInUser'] = async (overrides = {}) => {
    const user = await registerUser(overrides);
    const loggedIn = await service.login({ email: user.email, password: StrongPassword });
    if (!loggedIn.ok) throw new Error(`login failed: ${loggedIn.error.code}`);
    return { user: loggedIn.value.user, token: loggedIn.value.token, sessionId: loggedIn.value.sessionId };
  };

  const close = async () => {
    await relay.stop();
    await repos.close();
  };
  const relayed = () => relay.drain();
  return { service, repos, clock, tokens, passwords, email, jobs, events, registerUser, loggedInUser, relayed, close };
};
