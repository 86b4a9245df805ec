import { createSimulationService, type SimulationService } from '../core/simulation/index.js';
import type { GrpcAuthClient } from '../adapters/grpc/auth/auth-grpc-client.js';
import { authorization } from '../adapters/grpc/auth/auth-grpc-client-ports.js';
import { ProjectServiceClient } from '../adapters/grpc/generated/project.js';
import { SimulationServiceService } from '../adapters/grpc/generated/simulation.js';
import { singleInstance } from '../adapters/grpc/mesh/single-instance.js';
import type { ServiceCalls } from '../adapters/grpc/mesh/mesh-client.js';
import { startGrpcServer, type RunningGrpcServer } from '../adapters/grpc/grpc-server.js';
import { GrpcProjectDirectory } from '../adapters/grpc/project/grpc-project-directory.js';
import { simulationGrpcService } from '../adapters/grpc/simulation/simulation-grpc-service.js';
import { InMemorySimulationRepository } from '../adapters/memory/in-memory-simulation-repository.js';
import { InMemoryStreamStore } from '../adapters/memory/in-memory-stream-store.js';
import { RandomIdGenerator } from '../adapters/system/random-id-generator.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { SystemScheduler } from '../adapters/system/system-scheduler.js';
import { testLogger } from './test-logger.js';

/**
 * A real simulation service for the project's export tests: the simulation domain behind its gRPC
 * adapter, reading projects from the project service over gRPC (GrpcProjectDirectory) once told
 * where it is, and asking auth over GrpcAuthClient. Its layer 3 is its own (in memory).
 */
export interface SimulationTestServer {
  readonly service: SimulationService;
  readonly address: string;
  /** Points the simulation's project directory at the project service, which starts after this. */
  connectProjects(address: string): void;
  stop(): Promise<void>;
}

export const startSimulationTestServer = async (auth: GrpcAuthClient): Promise<SimulationTestServer> => {
  const logger = testLogger('simulation-test-server');
  const streams = new InMemoryStreamStore();
  let projects: ServiceCalls<ProjectServiceClient> | undefined;
  const lazyProjects: ServiceCalls<ProjectServiceClient> = {
    call: (method, request, options) => {
      if (!projects) throw new Error('the project service is not connected yet');
      return projects.call(method, request, options);
    },
    close: () => projects?.close(),
  };
  const reportFault = (error: unknown, context: string) => logger.error({ err: error }, context);
  const service = createSimulationService({
    repository: new InMemorySimulationRepository(),
    projects: new GrpcProjectDirectory(lazyProjects, { timeoutMs: 10_000 }),
    authorization: authorization(auth),
    streams,
    scheduler: new SystemScheduler(reportFault),
    clock: new SystemClock(),
    ids: new RandomIdGenerator(),
    reportFault,
  });
  const server: RunningGrpcServer = await startGrpcServer({
    serviceName: 'simulation',
    host: '127.0.0.1',
    port: 0,
    logger,
    shutdownGraceMs: 1_000,
    services: [{ definition: SimulationServiceService, implementation: simulationGrpcService(service, logger) }],
  });
  return {
    service,
    address: server.address,
    connectProjects: (address) => {
      projects = singleInstance(ProjectServiceClient, address);
    },
    stop: async () => {
      await service.shutdown();
      await server.shutdown();
      lazyProjects.close();
      await streams.close();
    },
  };
};
