import { InMemoryCollaborationPresence } from '../../adapters/memory/in-memory-collaboration-presence.js';
import { createProjectService, type ProjectService } from '../../core/project/index.js';
import type { Project } from '../../core/project/model.js';
import type { GrpcAuthClient } from '../../adapters/grpc/auth/auth-grpc-client.js';
import { authorization, userDirectory } from '../../adapters/grpc/auth/auth-grpc-client-ports.js';
import { ProjectServiceService } from '../../adapters/grpc/generated/project.js';
import { startGrpcServer, type RunningGrpcServer } from '../../adapters/grpc/grpc-server.js';
import { projectGrpcService } from '../../adapters/grpc/project/project-grpc-service.js';
import { InMemoryEventBus } from '../../adapters/memory/in-memory-event-bus.js';
import { InMemoryProjectRepository } from '../../adapters/memory/in-memory-project-repository.js';
import { InMemoryStreamStore } from '../../adapters/memory/in-memory-stream-store.js';
import type { Logger } from '../../adapters/observability/logger.js';
import { RandomIdGenerator } from '../../adapters/system/random-id-generator.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { aProject } from '../project/builders.js';
import { DEFAULT_STREAM_RETENTION } from '../../core/messaging/stream-retention.js';

export interface ProjectTestServer {
  readonly server: RunningGrpcServer;
  readonly service: ProjectService;
  readonly projects: InMemoryProjectRepository;
  /** Stores a project of `ownerId` (private unless overridden) as test data, and returns it. */
  add(ownerId: string, overrides?: Partial<Project>): Promise<Project>;
  stop(): Promise<void>;
}

/**
 * A real project gRPC server on loopback: the project use cases behind the project service's gRPC
 * adapter, asking the given auth service over gRPC, with an in-memory repository and layer 3.
 * The simulation service reads projects from it with GetProject, as in the mesh.
 */
export const startProjectTestServer = async (auth: GrpcAuthClient, logger: Logger): Promise<ProjectTestServer> => {
  const projects = new InMemoryProjectRepository();
  const clock = new SystemClock();
  const streams = new InMemoryStreamStore(clock);
  const service = createProjectService({
    projects,
    presence: new InMemoryCollaborationPresence(),
    presenceTtlMs: 30_000,
    editWindow: DEFAULT_STREAM_RETENTION.collaboration,
    authorization: authorization(auth),
    users: userDirectory(auth),
    events: new InMemoryEventBus(logger),
    streams,
    clock,
    ids: new RandomIdGenerator(),
  });
  const server = await startGrpcServer({
    serviceName: 'project-test',
    host: '127.0.0.1',
    port: 0,
    logger,
    services: [{ definition: ProjectServiceService, implementation: projectGrpcService(service, logger) }],
  });
  return {
    server,
    service,
    projects,
    add: async (ownerId, overrides = {}) => {
      const project = aProject({ ownerId, ...overrides });
      await projects.create(project);
      return project;
    },
    stop: async () => {
      await server.shutdown();
      await streams.close();
    },
  };
};
