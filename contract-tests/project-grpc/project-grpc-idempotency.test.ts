import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorization, userDirectory } from '../../adapters/grpc/auth/auth-grpc-client-ports.js';
import { ProjectServiceClient, ProjectServiceService, type CreateProjectResponse } from '../../adapters/grpc/generated/project.js';
import { startGrpcServer, type RunningGrpcServer } from '../../adapters/grpc/grpc-server.js';
import { projectAnswersFromWrites, projectGrpcService } from '../../adapters/grpc/project/project-grpc-service.js';
import { InMemoryCollaborationPresence } from '../../adapters/memory/in-memory-collaboration-presence.js';
import { InMemoryEventBus } from '../../adapters/memory/in-memory-event-bus.js';
import { InMemoryStreamStore } from '../../adapters/memory/in-memory-stream-store.js';
import { openServiceDatabase, type ServiceDatabase } from '../../adapters/sql/database.js';
import { SqlIdempotencyStore } from '../../adapters/sql/idempotency/sql-idempotency-store.js';
import { SqlOutbox } from '../../adapters/sql/outbox/sql-outbox.js';
import type { ProjectTables } from '../../adapters/sql/project/project-tables.js';
import { SqlProjectRepository } from '../../adapters/sql/project/sql-project-repository.js';
import { RandomIdGenerator } from '../../adapters/system/random-id-generator.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { idempotentWrites } from '../../composition/idempotent-writes.js';
import type { Profile } from '../../core/auth/model.js';
import { createProjectService } from '../../core/project/index.js';
import { testLogger } from '../../test-support/test-logger.js';
import { createRequest, failureCode } from './project-grpc-fixture.js';
import { startRealAuth, type RealAuth } from './real-auth-server.js';
import { DEFAULT_STREAM_RETENTION } from '../../core/messaging/stream-retention.js';

const logger = testLogger('project-grpc-idempotency');

class ForgetfulStore extends SqlIdempotencyStore {
  override async remember(): Promise<void> {
    throw new Error('the process died after the commit');
  }
}
const HOUR = 3_600_000;

/**
 * Two project gRPC servers over one database, as two instances of the service (each with its own
 * idempotency bookkeeping, as separate processes have), and writes sent with `idempotency-key`
 * (docs/adr/0058): a write is made once per key, whichever instance gets it and however often.
 */
describe('project gRPC writes with an idempotency key', () => {
  let auth: RealAuth;
  let database: ServiceDatabase<ProjectTables>;
  const servers: RunningGrpcServer[] = [];
  const clients: ProjectServiceClient[] = [];
  let owner: Profile;

  /** One instance; `crashesAfterCommit`: storing an answer after the write's commit fails, as if the process died there. */
  const instance = async ({ crashesAfterCommit = false } = {}): Promise<ProjectServiceClient> => {
    const store = crashesAfterCommit
      ? new ForgetfulStore(database.db, { retentionMs: HOUR, clock: new SystemClock() })
      : new SqlIdempotencyStore(database.db, { retentionMs: HOUR, clock: new SystemClock() });
    const projects = new SqlProjectRepository(database.db, new SqlOutbox(database.db, { keys: store }));
    const service = createProjectService({
      projects,
      presence: new InMemoryCollaborationPresence(),
      presenceTtlMs: 30_000,
      editWindow: DEFAULT_STREAM_RETENTION.collaboration,
      authorization: authorization(auth.client),
      users: userDirectory(auth.client),
      events: new InMemoryEventBus(logger),
      streams: new InMemoryStreamStore(),
      clock: new SystemClock(),
      ids: new RandomIdGenerator(),
    });
    const server = await startGrpcServer({
      serviceName: 'project',
      host: '127.0.0.1',
      port: 0,
      logger,
      shutdownGraceMs: 1_000,
      idempotentWrites: idempotentWrites(HOUR, store),
      services: [
        {
          definition: ProjectServiceService,
          implementation: projectGrpcService(service, logger),
          answersFromWrites: projectAnswersFromWrites,
        },
      ],
    });
    servers.push(server);
    const client = new ProjectServiceClient(server.address, credentials.createInsecure());
    clients.push(client);
    return client;
  };

  const create = (client: ProjectServiceClient, key: string | undefined, request = createRequest(owner)) =>
    new Promise<CreateProjectResponse>((resolve, reject) => {
      const metadata = new Metadata();
      if (key !== undefined) metadata.set('idempotency-key', key);
      client.createProject(request, metadata, { deadline: Date.now() + 10_000 }, (error, response) =>
        error ? reject(error) : resolve(response),
      );
    });
  const failed = async (attempt: Promise<unknown>): Promise<ServiceError> => {
    try {
      await attempt;
    } catch (error) {
      return error as ServiceError;
    }
    throw new Error('expected the call to fail');
  };
  const stored = async (name: string): Promise<number> =>
    Number(
      (
        await database.db
          .selectFrom('projects')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('name', '=', name)
          .executeTakeFirstOrThrow()
      ).n,
    );

  let a: ProjectServiceClient;
  let b: ProjectServiceClient;
  beforeAll(async () => {
    auth = await startRealAuth();
    owner = await auth.harness.registerUser();
    database = await openServiceDatabase({ service: 'project', dataDir: 'memory://', logger });
    await database.migrate();
    [a, b] = [await instance(), await instance()];
  }, 60_000);
  afterAll(async () => {
    clients.forEach((client) => client.close());
    await Promise.all(servers.map((server) => server.shutdown()));
    await database?.close();
    await auth?.stop();
  });

  it('makes the write once and gives a repeat, on either instance, the same answer', async () => {
    const request = createRequest(owner, { name: 'once only' });

    const first = await create(a, 'user:u1:key-1', request);
    const again = await create(b, 'user:u1:key-1', request);
    const andAgain = await create(a, 'user:u1:key-1', request);

    expect(again).toEqual(first);
    expect(andAgain).toEqual(first);
    expect(await stored('once only')).toBe(1);
  });

  it('makes the write once when attempts with one key reach both instances at the same time', async () => {
    const request = createRequest(owner, { name: 'raced' });

    const answers = await Promise.all([a, b, a, b].map((client) => create(client, 'user:u1:key-2', request)));

    expect(new Set(answers.map((answer) => answer.projectId)).size).toBe(1);
    expect(await stored('raced')).toBe(1);
  });

  it('keeps the answer of a create with the project even when the step after the commit never runs (a crash there)', async () => {
    const crashing = await instance({ crashesAfterCommit: true });
    const request = createRequest(owner, { name: 'atomic answer' });

    const created = await create(crashing, 'user:u1:key-5', request);
    const retried = await create(b, 'user:u1:key-5', request);

    expect(retried).toEqual(created);
    expect(await stored('atomic answer')).toBe(1);
  });

  it('refuses the same key with another request (ALREADY_EXISTS, idempotency_key_reused) and stores nothing for it', async () => {
    await create(a, 'user:u1:key-3', createRequest(owner, { name: 'first use' }));

    const error = await failed(create(b, 'user:u1:key-3', createRequest(owner, { name: 'second use' })));

    expect(error.code).toBe(status.ALREADY_EXISTS);
    expect(failureCode(error)).toBe('idempotency_key_reused');
    expect(await stored('second use')).toBe(0);
  });

  it('answers a refused request afresh when repeated: nothing was committed, so nothing was remembered', async () => {
    const invalid = createRequest(owner, { name: '' });

    const first = await failed(create(a, 'user:u1:key-4', invalid));
    // The key was not spent on a request that changed nothing: the corrected request may use it.
    const fixed = await create(a, 'user:u1:key-4', createRequest(owner, { name: 'fixed name' }));

    expect(first.code).toBe(status.INVALID_ARGUMENT);
    expect(fixed.projectId).not.toBe('');
    expect(await stored('fixed name')).toBe(1);
  });

  it('makes every write without a key, and refuses a key that is not visible ASCII', async () => {
    const request = createRequest(owner, { name: 'no key' });

    await create(a, undefined, request);
    await create(b, undefined, request);
    const error = await failed(create(a, 'a key with spaces', request));

    expect(await stored('no key')).toBe(2);
    expect(error.code).toBe(status.INVALID_ARGUMENT);
  });
});
