import { ContainerModule } from 'inversify';
import type { IdempotentWrites } from '../../core/idempotency/idempotent-writes.js';
import { idempotentWrites } from '../idempotent-writes.js';
import type { StreamStore } from '../../core/messaging/streams.js';
import type { OutboxStore } from '../../core/messaging/outbox.js';
import type { Clock } from '../../core/shared/clock.js';
import type { IdGenerator } from '../../core/shared/ids.js';
import { cachedAuthorization, PermissionCache } from '../../core/shared/permission-cache.js';
import {
  createSimulationService,
  type AuthorizationPort,
  type FaultReporter,
  type ProjectDirectory,
  type Scheduler,
  type SimulationRepository,
  type SimulationService,
  type WatcherNotices,
} from '../../core/simulation/index.js';
import { defaultCallTimeoutMs } from '../../core/resilience/deadline.js';
import { AuthServiceClient } from '../../adapters/grpc/generated/auth.js';
import { ProjectServiceClient } from '../../adapters/grpc/generated/project.js';
import { GatewayServiceClient } from '../../adapters/grpc/generated/gateway.js';
import { GrpcGatewayMessages } from '../../adapters/grpc/gateway/grpc-gateway-messages.js';
import type { ServiceCalls } from '../../adapters/grpc/mesh/mesh-client.js';
import { GrpcAuthClient } from '../../adapters/grpc/auth/auth-grpc-client.js';
import { remoteTokenCheck, authorization } from '../../adapters/grpc/auth/auth-grpc-client-ports.js';
import { GrpcProjectDirectory } from '../../adapters/grpc/project/grpc-project-directory.js';
import type { TokenCheck } from '../../adapters/http/auth/authenticate.js';
import { InMemoryOutbox } from '../../adapters/memory/in-memory-outbox.js';
import { InMemorySimulationRepository } from '../../adapters/memory/in-memory-simulation-repository.js';
import type { Logger } from '../../adapters/observability/logger.js';
import { SystemScheduler } from '../../adapters/system/system-scheduler.js';
import { Platform } from '../platform-module.js';
import type { ServiceContext } from '../service-context.js';
import { token } from '../tokens.js';
import type { SimulationSettings } from '../config.js';

export const SimulationTokens = {
  settings: token<SimulationSettings>('SimulationSettings'),
  /** The one place the repository is chosen (in-memory now, SQL later). */
  repository: token<SimulationRepository>('SimulationRepository'),
  /** Where `repository` records the events of its writes (docs/adr/0038); rebound with it. */
  outbox: token<OutboxStore>('SimulationOutbox'),
  /** Where the gRPC writes are remembered by idempotency key (docs/adr/0058); rebound with the repository. */
  idempotentWrites: token<IdempotentWrites>('SimulationIdempotentWrites'),
  projectClients: token<ServiceCalls<ProjectServiceClient>>('ProjectServiceClients'),
  authClients: token<ServiceCalls<AuthServiceClient>>('AuthServiceClients'),
  gatewayClients: token<ServiceCalls<GatewayServiceClient>>('GatewayServiceClients'),
  watchers: token<WatcherNotices>('WatcherNotices'),
  projects: token<ProjectDirectory>('ProjectDirectory'),
  auth: token<GrpcAuthClient>('GrpcAuthClient'),
  authorization: token<AuthorizationPort>('AuthorizationPort'),
  /** The grants of auth's CheckPermission this process keeps (docs/adr/0070), evicted by auth's events. */
  permissionCache: token<PermissionCache>('SimulationPermissionCache'),
  tokenCheck: token<TokenCheck>('TokenCheck'),
  reportFault: token<FaultReporter>('FaultReporter'),
  scheduler: token<Scheduler>('Scheduler'),
  service: token<SimulationService>('SimulationService'),
};

/**
 * The simulation service's adapters and use cases: an in-memory repository, the project and auth
 * services over the mesh (`context.clientFor`: their discovered instances, safe calls retried on
 * another one), a setInterval scheduler, faults to the log.
 */
export const simulationModule = (context: ServiceContext, settings: SimulationSettings): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind(SimulationTokens.settings).toConstantValue(settings);
    const repository = new InMemorySimulationRepository(new InMemoryOutbox());
    bind(SimulationTokens.repository).toConstantValue(repository);
    bind(SimulationTokens.outbox).toConstantValue(repository.outbox);
    bind(SimulationTokens.idempotentWrites).toConstantValue(idempotentWrites());
    bind<ServiceCalls<ProjectServiceClient>>(SimulationTokens.projectClients)
      .toResolvedValue(() => context.clientFor('project', ProjectServiceClient))
      .inSingletonScope()
      .onDeactivation((source) => source.close());
    bind<ServiceCalls<AuthServiceClient>>(SimulationTokens.authClients)
      .toResolvedValue(() => context.clientFor('auth', AuthServiceClient))
      .inSingletonScope()
      .onDeactivation((source) => source.close());
    bind<ServiceCalls<GatewayServiceClient>>(SimulationTokens.gatewayClients)
      .toResolvedValue(() => context.clientFor('api-gateway', GatewayServiceClient))
      .inSingletonScope()
      .onDeactivation((source) => source.close());
    bind(SimulationTokens.watchers)
      .toResolvedValue(
        (source: ServiceCalls<GatewayServiceClient>, logger: Logger) =>
          new GrpcGatewayMessages(
            source,
            'simulation',
            defaultCallTimeoutMs('api-gateway'),
            logger.child({ component: 'gateway-messages' }),
          ),
        [SimulationTokens.gatewayClients, Platform.logger],
      )
      .inSingletonScope();
    bind(SimulationTokens.projects)
      .toResolvedValue((source: ServiceCalls<ProjectServiceClient>) => new GrpcProjectDirectory(source), [SimulationTokens.projectClients])
      .inSingletonScope();
    bind(SimulationTokens.auth)
      .toResolvedValue(
        (source: ServiceCalls<AuthServiceClient>) => new GrpcAuthClient(source, { callingService: 'simulation' }),
        [SimulationTokens.authClients],
      )
      .inSingletonScope();
    bind(SimulationTokens.permissionCache)
      .toResolvedValue((clock: Clock) => new PermissionCache(clock, context.config.permissionCache), [Platform.clock])
      .inSingletonScope();
    bind(SimulationTokens.authorization)
      .toResolvedValue(
        (auth: GrpcAuthClient, permissions: PermissionCache) => cachedAuthorization(authorization(auth), permissions),
        [SimulationTokens.auth, SimulationTokens.permissionCache],
      )
      .inSingletonScope();
    bind(SimulationTokens.tokenCheck).toResolvedValue(remoteTokenCheck, [SimulationTokens.auth]).inSingletonScope();
    bind(SimulationTokens.reportFault)
      .toResolvedValue(
        (logger: Logger): FaultReporter =>
          (error, context) =>
            logger.error({ err: error, context }, 'simulation fault'),
        [Platform.logger],
      )
      .inSingletonScope();
    bind(SimulationTokens.scheduler)
      .toResolvedValue((reportFault: FaultReporter) => new SystemScheduler(reportFault), [SimulationTokens.reportFault])
      .inSingletonScope();
    bind(SimulationTokens.service)
      .toResolvedValue(
        (
          repository: SimulationRepository,
          projects: ProjectDirectory,
          authorization: AuthorizationPort,
          streams: StreamStore,
          scheduler: Scheduler,
          clock: Clock,
          ids: IdGenerator,
          reportFault: FaultReporter,
          serviceSettings: SimulationSettings,
          watchers: WatcherNotices,
        ) =>
          createSimulationService({
            repository,
            projects,
            authorization,
            streams,
            scheduler,
            clock,
            ids,
            reportFault,
            watchers,
            settings: {
              updatesPerSecond: serviceSettings.updatesPerSecond,
              running: serviceSettings.running,
              finishedStreamGraceMs: serviceSettings.finishedStreamGraceMs,
            },
          }),
        [
          SimulationTokens.repository,
          SimulationTokens.projects,
          SimulationTokens.authorization,
          Platform.streams,
          SimulationTokens.scheduler,
          Platform.clock,
          Platform.ids,
          SimulationTokens.reportFault,
          SimulationTokens.settings,
          SimulationTokens.watchers,
        ],
      )
      .inSingletonScope();
  });
