import { InMemoryCollaborationPresence } from '../../adapters/memory/in-memory-collaboration-presence.js';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { StreamJobQueue } from '../../adapters/streams/stream-job-queue.js';
import { expect } from 'vitest';
import { createProjectService, type ProjectService } from '../../core/project/index.js';
import type { Profile } from '../../core/auth/model.js';
import { GrpcAuthClient } from '../../adapters/grpc/auth/auth-grpc-client.js';
import { emailLookup, authorization, userDirectory } from '../../adapters/grpc/auth/auth-grpc-client-ports.js';
import { AuthServiceClient } from '../../adapters/grpc/generated/auth.js';
import { ProjectServiceClient, ProjectServiceService } from '../../adapters/grpc/generated/project.js';
import { singleInstance } from '../../adapters/grpc/mesh/single-instance.js';
import { startGrpcServer, type RunningGrpcServer } from '../../adapters/grpc/grpc-server.js';
import { FAILURE_METADATA } from '../../adapters/grpc/to-grpc-status.js';
import { projectGrpcService } from '../../adapters/grpc/project/project-grpc-service.js';
import { InMemoryEventBus } from '../../adapters/memory/in-memory-event-bus.js';
import { startTestRelay } from '../support/outbox-relay.js';
import { InMemoryProjectRepository } from '../../adapters/memory/in-memory-project-repository.js';
import { InMemoryStreamStore } from '../../adapters/memory/in-memory-stream-store.js';
import { RandomIdGenerator } from '../../adapters/system/random-id-generator.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { testLogger } from '../../test-support/test-logger.js';
import { DEFAULT_STREAM_RETENTION } from '../../core/messaging/stream-retention.js';

/** `project.ProjectService` on loopback, its use cases talking to an auth service at `authAddress` through GrpcAuthClient. */
export interface ProjectGrpcServer {
  readonly server: RunningGrpcServer;
  readonly client: ProjectServiceClient;
  readonly service: ProjectService;
  readonly streams: InMemoryStreamStore;
  /** Resolves once what the writes so far recorded in the outbox has been sent (docs/adr/0038). */
  relayed(): Promise<void>;
  stop(): Promise<void>;
}

export const startProjectGrpc = async (authAddress: string): Promise<ProjectGrpcServer> => {
  const logger = testLogger('project-grpc-contract');
  const authChannel = singleInstance(AuthServiceClient, authAddress);
  const auth = new GrpcAuthClient(authChannel, { callingService: 'project', timeoutMs: 10_000 });
  const streams = new InMemoryStreamStore();
  const projects = new InMemoryProjectRepository();
  const events = new InMemoryEventBus(logger);
  const jobs = new StreamJobQueue(streams, new SystemClock(), logger);
  const relay = startTestRelay(projects.outbox, { events, streams, jobs });
  const service = createProjectService({
    projects,
    presence: new InMemoryCollaborationPresence(),
    presenceTtlMs: 30_000,
    editWindow: DEFAULT_STREAM_RETENTION.collaboration,
    authorization: authorization(auth),
    users: userDirectory(auth),
    events,
    streams,
    clock: new SystemClock(),
    ids: new RandomIdGenerator(),
  });
  const server = await startGrpcServer({
    serviceName: 'project',
    host: '127.0.0.1',
    port: 0,
    logger,
    shutdownGraceMs: 1_000,
    services: [{ definition: ProjectServiceService, implementation: projectGrpcService(service, logger, { emailOf: emailLookup(auth) }) }],
  });
  const client = new ProjectServiceClient(server.address, credentials.createInsecure());
  return {
    server,
    client,
    service,
    streams,
    relayed: () => relay.drain(),
    stop: async () => {
      client.close();
      authChannel.close();
      await server.shutdown();
      await relay.stop();
      await streams.close();
    },
  };
};

/** The field names of a failure's `failure-violations` trailer. */
export const violatedFields = (error: ServiceError): string[] => {
  const raw = error.metadata.get(FAILURE_METADATA.violations)[0];
  expect(typeof raw).toBe('string');
  return (JSON.parse(raw as string) as { field: string }[]).map((violation) => violation.field);
};

export const failureCode = (error: ServiceError): unknown => error.metadata.get(FAILURE_METADATA.code)[0];

/** A project request with everything proto3 defaults to, and `overrides`. */
export const createRequest = (
  owner: Pick<Profile, 'id'>,
  overrides: Partial<Parameters<ProjectServiceClient['createProject']>[0]> = {},
) => ({
  userId: owner.id,
  name: 'Capacity plan',
  description: '',
  templateId: '',
  configuration: {},
  isPublic: false,
  ...overrides,
});
