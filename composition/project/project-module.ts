import { ContainerModule } from 'inversify';
import { createExportService, defaultExportSettings, type ExportService, type ExportSettings } from '../../core/exports/index.js';
import type { ExportRepository, SimulationReader } from '../../core/exports/ports.js';
import type { StreamStore } from '../../core/messaging/streams.js';
import type { EventPublisher } from '../../core/messaging/events.js';
import type { JobQueue } from '../../core/messaging/work-queue.js';
import type { OutboxStore } from '../../core/messaging/outbox.js';
import type { IdempotentWrites } from '../../core/idempotency/idempotent-writes.js';
import { createProjectService, type CollaborationPresence, type ProjectRepository, type ProjectService } from '../../core/project/index.js';
import type { CollaboratorNotices } from '../../core/project/ports.js';
import { defaultCallTimeoutMs } from '../../core/resilience/deadline.js';
import type { Clock } from '../../core/shared/clock.js';
import type { IdGenerator } from '../../core/shared/ids.js';
import { cachedAuthorization, PermissionCache, type PermissionCacheSettings } from '../../core/shared/permission-cache.js';
import { GrpcAuthClient } from '../../adapters/grpc/auth/auth-grpc-client.js';
import { authorization, userDirectory } from '../../adapters/grpc/auth/auth-grpc-client-ports.js';
import { AuthServiceClient } from '../../adapters/grpc/generated/auth.js';
import { SimulationServiceClient } from '../../adapters/grpc/generated/simulation.js';
import { GatewayServiceClient } from '../../adapters/grpc/generated/gateway.js';
import { GrpcGatewayMessages } from '../../adapters/grpc/gateway/grpc-gateway-messages.js';
import type { Logger } from '../../adapters/observability/logger.js';
import type { MeshService, ServiceCalls } from '../../adapters/grpc/mesh/mesh-client.js';
import { GrpcSimulationReader } from '../../adapters/grpc/project/grpc-simulation-reader.js';
import { InMemoryExportRepository } from '../../adapters/memory/in-memory-export-repository.js';
import { InMemoryOutbox } from '../../adapters/memory/in-memory-outbox.js';
import { InMemoryProjectRepository } from '../../adapters/memory/in-memory-project-repository.js';
import { idempotentWrites } from '../idempotent-writes.js';
import { Platform } from '../platform-module.js';
import { token } from '../tokens.js';

export const ProjectTokens = {
  /** Swap the repositories here (SQL instead of in-memory): nothing else names them. */
  projects: token<ProjectRepository>('ProjectRepository'),
  /** Where `projects` records the events of its writes (docs/adr/0038); rebound with it. */
  outbox: token<OutboxStore>('ProjectOutbox'),
  exports: token<ExportRepository>('ExportRepository'),
  /** Where the gRPC writes are remembered by idempotency key (docs/adr/0058); rebound with the repositories. */
  idempotentWrites: token<IdempotentWrites>('ProjectIdempotentWrites'),
  authChannel: token<MeshService<AuthServiceClient>>('AuthClientSource'),
  simulationChannel: token<MeshService<SimulationServiceClient>>('SimulationClientSource'),
  gatewayChannel: token<MeshService<GatewayServiceClient>>('GatewayClientSource'),
  notices: token<CollaboratorNotices>('CollaboratorNotices'),
  auth: token<GrpcAuthClient>('GrpcAuthClient'),
  /** The grants of auth's CheckPermission this process keeps (docs/adr/0070), evicted by auth's events. */
  permissionCache: token<PermissionCache>('ProjectPermissionCache'),
  simulations: token<SimulationReader>('SimulationReader'),
  exportSettings: token<ExportSettings>('ExportSettings'),
  service: token<ProjectService>('ProjectService'),
  exportService: token<ExportService>('ExportService'),
};

export interface ProjectModuleOptions {
  /** Mesh clients of the services the project service calls, made when first needed. */
  readonly clients: {
    readonly auth: () => MeshService<AuthServiceClient>;
    readonly simulation: () => MeshService<SimulationServiceClient>;
    /** The gateways, to reach collaborators' live clients (docs/adr/0052). */
    readonly gateway: () => MeshService<GatewayServiceClient>;
  };
  /** Per-call timeouts; defaults auth 2 s, simulation 5 s. */
  readonly timeouts?: { readonly authMs?: number; readonly simulationMs?: number };
  readonly exports?: Partial<ExportSettings>;
  /** Who is in the collaboration sessions: on the mesh's Redis when it runs on Redis, else in this process. */
  readonly presence: CollaborationPresence;
  readonly presenceTtlMs: number;
  /** How many versions back a collaborator's edit may be made against: the collaboration stream's retention (docs/adr/0063). */
  readonly editWindow: number;
  /** Bound and age of the kept CheckPermission grants; default DEFAULT_PERMISSION_CACHE_SETTINGS. */
  readonly permissionCache?: PermissionCacheSettings;
}

/**
 * The project service's adapters (embedded: in-memory repositories; the auth and simulation
 * services over the mesh) and its use cases. The mesh clients follow discovery, so a simulation
 * service started after this one is found when it registers.
 */
export const projectModule = (options: ProjectModuleOptions): ContainerModule =>
  new ContainerModule(({ bind }) => {
    const projects = new InMemoryProjectRepository(new InMemoryOutbox());
    bind(ProjectTokens.projects).toConstantValue(projects);
    bind(ProjectTokens.outbox).toConstantValue(projects.outbox);
    bind(ProjectTokens.exports).toConstantValue(new InMemoryExportRepository(projects.outbox));
    bind(ProjectTokens.idempotentWrites).toConstantValue(idempotentWrites());
    bind(ProjectTokens.exportSettings).toConstantValue({ ...defaultExportSettings, ...options.exports });
    bind(ProjectTokens.authChannel).toDynamicValue(options.clients.auth).inSingletonScope();
    bind(ProjectTokens.simulationChannel).toDynamicValue(options.clients.simulation).inSingletonScope();
    bind(ProjectTokens.gatewayChannel).toDynamicValue(options.clients.gateway).inSingletonScope();
    bind(ProjectTokens.notices)
      .toResolvedValue(
        (source: ServiceCalls<GatewayServiceClient>, logger: Logger) =>
          new GrpcGatewayMessages(source, 'project', defaultCallTimeoutMs('api-gateway'), logger.child({ component: 'gateway-messages' })),
        [ProjectTokens.gatewayChannel, Platform.logger],
      )
      .inSingletonScope();
    bind(ProjectTokens.auth)
      .toResolvedValue(
        (source: ServiceCalls<AuthServiceClient>) =>
          new GrpcAuthClient(source, { callingService: 'project', timeoutMs: options.timeouts?.authMs }),
        [ProjectTokens.authChannel],
      )
      .inSingletonScope();
    bind(ProjectTokens.permissionCache)
      .toResolvedValue((clock: Clock) => new PermissionCache(clock, options.permissionCache), [Platform.clock])
      .inSingletonScope();
    bind(ProjectTokens.simulations)
      .toResolvedValue(
        (source: ServiceCalls<SimulationServiceClient>) => new GrpcSimulationReader(source, { timeoutMs: options.timeouts?.simulationMs }),
        [ProjectTokens.simulationChannel],
      )
      .inSingletonScope();
    bind(ProjectTokens.service)
      .toResolvedValue(
        (
          projects: ProjectRepository,
          auth: GrpcAuthClient,
          permissions: PermissionCache,
          notices: CollaboratorNotices,
          events: EventPublisher,
          streams: StreamStore,
          clock: Clock,
          ids: IdGenerator,
        ) =>
          createProjectService({
            projects,
            presence: options.presence,
            presenceTtlMs: options.presenceTtlMs,
            editWindow: options.editWindow,
            authorization: cachedAuthorization(authorization(auth), permissions),
            users: userDirectory(auth),
            notices,
            events,
            streams,
            clock,
            ids,
          }),
        [
          ProjectTokens.projects,
          ProjectTokens.auth,
          ProjectTokens.permissionCache,
          ProjectTokens.notices,
          Platform.publisher,
          Platform.streams,
          Platform.clock,
          Platform.ids,
        ],
      )
      .inSingletonScope();
    bind(ProjectTokens.exportService)
      .toResolvedValue(
        (
          exports: ExportRepository,
          simulations: SimulationReader,
          projects: ProjectService,
          settings: ExportSettings,
          jobs: JobQueue,
          streams: StreamStore,
          clock: Clock,
          ids: IdGenerator,
        ) => createExportService({ exports, simulations, projects, settings, jobs, streams, clock, ids }),
        [
          ProjectTokens.exports,
          ProjectTokens.simulations,
          ProjectTokens.service,
          ProjectTokens.exportSettings,
          Platform.jobs,
          Platform.streams,
          Platform.clock,
          Platform.ids,
        ],
      )
      .inSingletonScope();
  });
