import { credentials } from '@grpc/grpc-js';
import type { Profile } from '../../core/auth/index.js';
import type { Project } from '../../core/project/model.js';
import { createSimulationService, type SimulationService } from '../../core/simulation/index.js';
import { GrpcAuthClient } from '../../adapters/grpc/auth/auth-grpc-client.js';
import { remoteTokenCheck, authorization } from '../../adapters/grpc/auth/auth-grpc-client-ports.js';
import { authGrpcService } from '../../adapters/grpc/auth/auth-grpc-service.js';
import { AuthServiceClient, AuthServiceService } from '../../adapters/grpc/generated/auth.js';
import { ProjectServiceClient } from '../../adapters/grpc/generated/project.js';
import { SimulationServiceClient, SimulationServiceService } from '../../adapters/grpc/generated/simulation.js';
import { singleInstance } from '../../adapters/grpc/mesh/single-instance.js';
import { startGrpcServer, type RunningGrpcServer } from '../../adapters/grpc/grpc-server.js';
import { GrpcProjectDirectory } from '../../adapters/grpc/project/grpc-project-directory.js';
import { GrpcSimulationClient } from '../../adapters/grpc/simulation/grpc-simulation-client.js';
import { simulationGrpcService } from '../../adapters/grpc/simulation/simulation-grpc-service.js';
import type { TokenCheck } from '../../adapters/http/auth/authenticate.js';
import { InMemorySimulationRepository } from '../../adapters/memory/in-memory-simulation-repository.js';
import { InMemoryStreamStore } from '../../adapters/memory/in-memory-stream-store.js';
import { RandomIdGenerator } from '../../adapters/system/random-id-generator.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { SystemScheduler } from '../../adapters/system/system-scheduler.js';
import { aUser } from '../auth/builders.js';
import { createAuthHarness, inMemoryAuthRepositories, type AuthHarness } from '../auth/auth-harness.js';
import { QuietCluster } from '../simulation/simulation-harness.js';
import { startProjectTestServer, type ProjectTestServer } from './project-test-server.js';
import { testLogger } from '../../test-support/test-logger.js';

/** Nothing listens here: connections are refused at once. */
export const UNREACHABLE = '127.0.0.1:1';

export interface SimulationGrpcFixtureOptions {
  readonly updatesPerSecond?: number;
  /** Points the simulation service's client of this dependency at an address where nothing listens. */
  readonly unreachable?: 'auth' | 'project';
}

/**
 * The simulation gRPC server as deployed, on loopback sockets: the simulation use cases over a
 * real auth gRPC server (the auth domain, in-memory repositories) and a real project gRPC server,
 * reached through the mesh's gRPC clients (GrpcAuthClient, GrpcProjectDirectory); in-memory layer
 * 3, the setInterval scheduler and the system clock, so runs take real time.
 */
export interface SimulationGrpcFixture {
  readonly service: SimulationService;
  readonly server: RunningGrpcServer;
  /** The generated client, for raw calls and status checks. */
  readonly raw: SimulationServiceClient;
  /** The typed Result client other services use. */
  readonly client: GrpcSimulationClient;
  readonly auth: AuthHarness;
  /** The HTTP token check of the simulation service (ValidateToken over gRPC). */
  readonly tokenCheck: TokenCheck;
  readonly projects: ProjectTestServer;
  readonly repository: InMemorySimulationRepository;
  readonly streams: InMemoryStreamStore;
  readonly faults: { readonly error: unknown; readonly context: string }[];
  /** A user registered with the auth service (role `user`: may start simulations), logged in. */
  aUser(): Promise<{ user: Profile; token: string }>;
  /** A user the auth service knows but whose roles grant nothing. */
  aUserWithoutRoles(): Promise<string>;
  /** A project of `ownerId` with the quiet cluster configuration unless overridden. */
  aProjectOf(ownerId: string, overrides?: Partial<Project>): Promise<Project>;
  close(): Promise<void>;
}

export const startSimulationGrpcFixture = async (options: SimulationGrpcFixtureOptions = {}): Promise<SimulationGrpcFixture> => {
  const logger = testLogger('simulation-grpc-contract');
  const auth = await createAuthHarness(inMemoryAuthRepositories());
  const authServer = await startGrpcServer({
    serviceName: 'auth',
    host: '127.0.0.1',
    port: 0,
    logger,
    services: [{ definition: AuthServiceService, implementation: authGrpcService(auth.service, logger) }],
  });
  const authClients = singleInstance(AuthServiceClient, authServer.address);
  const projects = await startProjectTestServer(new GrpcAuthClient(authClients, { callingService: 'project', timeoutMs: 10_000 }), logger);

  const simulationAuth = singleInstance(AuthServiceClient, options.unreachable === 'auth' ? UNREACHABLE : authServer.address);
  const projectClients = singleInstance(ProjectServiceClient, options.unreachable === 'project' ? UNREACHABLE : projects.server.address);
  const authClient = new GrpcAuthClient(simulationAuth, { callingService: 'simulation', timeoutMs: 10_000 });
  const faults: { error: unknown; context: string }[] = [];
  const reportFault = (error: unknown, context: string) => faults.push({ error, context });
  const repository = new InMemorySimulationRepository();
  const clock = new SystemClock();
  const streams = new InMemoryStreamStore(clock);
  const service = createSimulationService({
    repository,
    projects: new GrpcProjectDirectory(projectClients, { timeoutMs: 10_000 }),
    authorization: authorization(authClient),
    streams,
    scheduler: new SystemScheduler(reportFault),
    clock,
    ids: new RandomIdGenerator(),
    settings: { updatesPerSecond: options.updatesPerSecond ?? 10 },
    reportFault,
  });
  const server = await startGrpcServer({
    serviceName: 'simulation',
    host: '127.0.0.1',
    port: 0,
    logger,
    services: [{ definition: SimulationServiceService, implementation: simulationGrpcService(service, logger) }],
  });
  const raw = new SimulationServiceClient(server.address, credentials.createInsecure());
  const simulationClients = singleInstance(SimulationServiceClient, server.address);

  return {
    service,
    server,
    raw,
    client: new GrpcSimulationClient(simulationClients, { target: server.address, timeoutMs: 10_000 }),
    auth,
    tokenCheck: remoteTokenCheck(authClient),
    projects,
    repository,
    streams,
    faults,
    aUser: async () => {
      const { user, token } = await auth.loggedInUser();
      return { user, token };
    },
    aUserWithoutRoles: async () => {
      const created = await auth.repos.users.create(aUser({ roles: [] }));
      if (!created.ok) throw new Error(`could not create the user: ${created.error}`);
      return created.value.id;
    },
    aProjectOf: (ownerId, overrides = {}) => projects.add(ownerId, { configuration: QuietCluster, ...overrides }),
    close: async () => {
      await service.shutdown();
      raw.close();
      for (const source of [simulationClients, simulationAuth, projectClients, authClients]) source.close();
      await Promise.all([server.shutdown(), authServer.shutdown(), projects.stop()]);
      await streams.close();
    },
  };
};
