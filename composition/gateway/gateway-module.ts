import { ContainerModule } from 'inversify';
import { Agent } from 'undici';
import {
  ClientRegistry,
  createEventRouter,
  createGatewayService,
  DirectorySync,
  LiveSessions,
  NotificationFeeds,
  RateLimiter,
  ReadAccessCache,
  SimulationFeeds,
  StreamFanOut,
  type Authenticator,
  type ClientDirectory,
  type EventRouter,
  type GatewayPeers,
  type GatewayService,
  type Identity,
  type ProjectAccess,
  type SimulationAccess,
} from '../../core/gateway/index.js';
import { SessionValidityCache } from '../../core/auth/index.js';
import type { StreamStore } from '../../core/messaging/streams.js';
import { defaultCallTimeoutMs } from '../../core/resilience/deadline.js';
import type { Clock } from '../../core/shared/clock.js';
import type { IdGenerator } from '../../core/shared/ids.js';
import { GrpcAuthClient } from '../../adapters/grpc/auth/auth-grpc-client.js';
import { GrpcAuthenticator } from '../../adapters/grpc/gateway/grpc-authenticator.js';
import { GrpcGatewayPeers } from '../../adapters/grpc/gateway/grpc-gateway-peers.js';
import { LocalTokenAuthenticator } from '../../adapters/grpc/gateway/local-token-authenticator.js';
import { RemoteSigningKeys } from '../../adapters/grpc/gateway/remote-signing-keys.js';
import { GrpcProjectAccess } from '../../adapters/grpc/gateway/grpc-project-access.js';
import { GrpcProjectBackend } from '../../adapters/grpc/gateway/grpc-project-backend.js';
import { GrpcSimulationAccess } from '../../adapters/grpc/gateway/grpc-simulation-access.js';
import { GrpcSimulationBackend } from '../../adapters/grpc/gateway/grpc-simulation-backend.js';
import { AuthServiceClient } from '../../adapters/grpc/generated/auth.js';
import { GatewayServiceClient } from '../../adapters/grpc/generated/gateway.js';
import { ProjectServiceClient } from '../../adapters/grpc/generated/project.js';
import { SimulationServiceClient } from '../../adapters/grpc/generated/simulation.js';
import type { MeshService, ServiceCalls } from '../../adapters/grpc/mesh/mesh-client.js';
import type { AdminBackend, ProjectBackend, SimulationBackend } from '../../adapters/http/gateway/client-api-ports.js';
import { GrpcAdminBackend } from '../../adapters/grpc/gateway/grpc-admin-backend.js';
import { ForwardedAddressSigner } from '../../adapters/http/forwarded-address.js';
import { HttpForwarder } from '../../adapters/http/gateway/http-forwarder.js';
import type { ClientRateLimits } from '../../adapters/http/gateway/rate-limits.js';
import type { Logger } from '../../adapters/observability/logger.js';
import { WebSocketHub } from '../../adapters/websocket/web-socket-hub.js';
import type { SocketRoute } from '../../adapters/websocket/socket-route.js';
import { CollaborationTokens, collaborationModule } from './collaboration-module.js';
import { Platform } from '../platform-module.js';
import { processMetrics } from '../observability/process-metrics.js';
import type { ServiceContext } from '../service-context.js';
import { token } from '../tokens.js';
import type { GatewaySettings } from '../config.js';

export const GatewayTokens = {
  settings: token<GatewaySettings>('GatewaySettings'),
  authClients: token<MeshService<AuthServiceClient>>('AuthClients'),
  projectClients: token<MeshService<ProjectServiceClient>>('ProjectClients'),
  simulationClients: token<MeshService<SimulationServiceClient>>('SimulationClients'),
  /** The other gateway instances (and this one), for forwarded deliveries. */
  gatewayClients: token<MeshService<GatewayServiceClient>>('GatewayClients'),
  directory: token<ClientDirectory>('ClientDirectory'),
  peers: token<GatewayPeers>('GatewayPeers'),
  directorySync: token<DirectorySync>('DirectorySync'),
  authenticator: token<Authenticator>('Authenticator'),
  localAuthenticator: token<LocalTokenAuthenticator>('LocalTokenAuthenticator'),
  sessionCache: token<SessionValidityCache<Identity>>('SessionValidityCache'),
  signingKeys: token<RemoteSigningKeys>('RemoteSigningKeys'),
  projectAccess: token<ProjectAccess>('ProjectAccess'),
  simulationAccess: token<SimulationAccess>('SimulationAccess'),
  projectBackend: token<ProjectBackend>('ProjectBackend'),
  simulationBackend: token<SimulationBackend>('SimulationBackend'),
  adminBackend: token<AdminBackend>('AdminBackend'),
  http2: token<Agent>('H2cAgent'),
  forwarder: token<HttpForwarder>('HttpForwarder'),
  limits: token<ClientRateLimits>('ClientRateLimits'),
  registry: token<ClientRegistry>('ClientRegistry'),
  service: token<GatewayService>('GatewayService'),
  fanOut: token<StreamFanOut>('StreamFanOut'),
  simulationFeeds: token<SimulationFeeds>('SimulationFeeds'),
  notificationFeeds: token<NotificationFeeds>('NotificationFeeds'),
  accessCache: token<ReadAccessCache>('ReadAccessCache'),
  router: token<EventRouter>('EventRouter'),
  sessions: token<LiveSessions>('LiveSessions'),
  hub: token<WebSocketHub>('WebSocketHub'),
};

const gatewayAuthClient = (clients: ServiceCalls<AuthServiceClient>, settings: GatewaySettings): GrpcAuthClient =>
  new GrpcAuthClient(clients, { timeoutMs: settings.timeouts.auth, callingService: 'api-gateway' });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * The gateway's adapters and domain: mesh clients of auth, project and simulation (over their
 * discovered instances, safe calls such as ValidateToken retried on another instance), the client
 * registry and live feeds of this instance, the client API's backends and the WebSocket hub.
 */
export const gatewayModule = (context: ServiceContext, settings: GatewaySettings): ContainerModule[] => [
  gatewayCoreModule(context, settings),
  collaborationModule(settings, GatewayTokens),
];

const gatewayCoreModule = (context: ServiceContext, settings: GatewaySettings): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind(GatewayTokens.settings).toConstantValue(settings);
    bind(GatewayTokens.authClients)
      .toDynamicValue(() => context.clientFor('auth', AuthServiceClient))
      .inSingletonScope();
    bind(GatewayTokens.projectClients)
      .toDynamicValue(() => context.clientFor('project', ProjectServiceClient))
      .inSingletonScope();
    bind(GatewayTokens.simulationClients)
      .toDynamicValue(() => context.clientFor('simulation', SimulationServiceClient))
      .inSingletonScope();
    bind(GatewayTokens.gatewayClients)
      .toDynamicValue(() => context.clientFor('api-gateway', GatewayServiceClient))
      .inSingletonScope();
    bind(GatewayTokens.directory).toConstantValue(context.messaging.clientDirectory);
    bind(GatewayTokens.peers)
      .toResolvedValue(
        (clients: ServiceCalls<GatewayServiceClient>) => new GrpcGatewayPeers(clients, defaultCallTimeoutMs('api-gateway')),
        [GatewayTokens.gatewayClients],
      )
      .inSingletonScope();

    bind(GatewayTokens.sessionCache)
      .toResolvedValue((clock: Clock) => new SessionValidityCache<Identity>(clock), [Platform.clock])
      .inSingletonScope();
    bind(GatewayTokens.signingKeys)
      .toResolvedValue(
        (clients: ServiceCalls<AuthServiceClient>, clock: Clock) => new RemoteSigningKeys(gatewayAuthClient(clients, settings), clock),
        [GatewayTokens.authClients, Platform.clock],
      )
      .inSingletonScope();
    // Signatures checked here, sessions cached and evicted by auth's events (docs/adr/0022).
    bind(GatewayTokens.localAuthenticator)
      .toResolvedValue(
        (clients: ServiceCalls<AuthServiceClient>, keys: RemoteSigningKeys, sessions: SessionValidityCache<Identity>, clock: Clock) =>
          new LocalTokenAuthenticator({ auth: gatewayAuthClient(clients, settings), keys, sessions, clock }),
        [GatewayTokens.authClients, GatewayTokens.signingKeys, GatewayTokens.sessionCache, Platform.clock],
      )
      .inSingletonScope();
    if (settings.tokenValidation === 'local') bind(GatewayTokens.authenticator).toService(GatewayTokens.localAuthenticator);
    else {
      bind(GatewayTokens.authenticator)
        .toResolvedValue(
          (clients: ServiceCalls<AuthServiceClient>) => new GrpcAuthenticator(gatewayAuthClient(clients, settings)),
          [GatewayTokens.authClients],
        )
        .inSingletonScope();
    }
    bind(GatewayTokens.projectAccess)
      .toResolvedValue(
        (clients: ServiceCalls<ProjectServiceClient>) => new GrpcProjectAccess(clients, settings.timeouts.project),
        [GatewayTokens.projectClients],
      )
      .inSingletonScope();
    bind(GatewayTokens.simulationAccess)
      .toResolvedValue(
        (clients: ServiceCalls<SimulationServiceClient>) => new GrpcSimulationAccess(clients, settings.timeouts.simulation),
        [GatewayTokens.simulationClients],
      )
      .inSingletonScope();
    bind(GatewayTokens.projectBackend)
      .toResolvedValue(
        (clients: ServiceCalls<ProjectServiceClient>) => new GrpcProjectBackend(clients, settings.timeouts.project),
        [GatewayTokens.projectClients],
      )
      .inSingletonScope();
    bind(GatewayTokens.simulationBackend)
      .toResolvedValue(
        (clients: ServiceCalls<SimulationServiceClient>) => new GrpcSimulationBackend(clients, settings.timeouts.simulation),
        [GatewayTokens.simulationClients],
      )
      .inSingletonScope();
    bind(GatewayTokens.adminBackend)
      .toResolvedValue(
        (clients: ServiceCalls<AuthServiceClient>) => new GrpcAdminBackend(clients, settings.timeouts.auth),
        [GatewayTokens.authClients],
      )
      .inSingletonScope();
    bind(GatewayTokens.http2)
      .toDynamicValue(() => new Agent({ allowH2: true, connect: { useH2c: true } as Agent.Options['connect'] }))
      .inSingletonScope();
    bind(GatewayTokens.forwarder)
      .toResolvedValue(
        (agent: Agent) =>
          new HttpForwarder(
            agent,
            { ...settings.timeouts, default: Math.max(settings.timeouts.auth, settings.timeouts.project) },
            new ForwardedAddressSigner(context.config.forwardingKey),
          ),
        [GatewayTokens.http2],
      )
      .inSingletonScope();
    bind(GatewayTokens.limits)
      .toResolvedValue(
        (clock: Clock) => ({ perAddress: new RateLimiter(settings.perAddress, clock), perUser: new RateLimiter(settings.perUser, clock) }),
        [Platform.clock],
      )
      .inSingletonScope();

    bind(GatewayTokens.registry)
      .toResolvedValue(
        (clock: Clock, ids: IdGenerator) => new ClientRegistry(settings.instanceId, clock, ids),
        [Platform.clock, Platform.ids],
      )
      .inSingletonScope();
    // Every gateway instance writes its clients to the shared directory and keeps them alive with
    // the registry's heartbeat: a dead instance's clients go when its registry record would (docs/adr/0052).
    bind(GatewayTokens.directorySync)
      .toResolvedValue(
        (registry: ClientRegistry, directory: ClientDirectory, logger: Logger) =>
          new DirectorySync(registry, directory, { ttlMs: context.config.mesh.registryTtlMs }, (error, detail) =>
            logger.warn({ err: error }, detail),
          ),
        [GatewayTokens.registry, GatewayTokens.directory, Platform.logger],
      )
      .inSingletonScope();
    bind(GatewayTokens.service)
      .toResolvedValue(
        (registry: ClientRegistry, directory: ClientDirectory, peers: GatewayPeers, logger: Logger) =>
          createGatewayService({ registry, directory, peers, reportFault: (error, detail) => logger.warn({ err: error }, detail) }),
        [GatewayTokens.registry, GatewayTokens.directory, GatewayTokens.peers, Platform.logger],
      )
      .inSingletonScope();
    bind(GatewayTokens.fanOut)
      .toResolvedValue(
        (streams: StreamStore, clock: Clock, logger: Logger) =>
          new StreamFanOut({
            streams,
            clock,
            sleep,
            reportFault: (error, detail) => logger.error({ err: error }, `stream fan-out: ${detail}`),
          }),
        [Platform.streams, Platform.clock, Platform.logger],
      )
      .inSingletonScope();
    bind(GatewayTokens.simulationFeeds)
      .toResolvedValue(
        (registry: ClientRegistry, fanOut: StreamFanOut) => new SimulationFeeds(registry, fanOut),
        [GatewayTokens.registry, GatewayTokens.fanOut],
      )
      .inSingletonScope();
    bind(GatewayTokens.notificationFeeds)
      .toResolvedValue(
        (registry: ClientRegistry, fanOut: StreamFanOut) => new NotificationFeeds(registry, fanOut),
        [GatewayTokens.registry, GatewayTokens.fanOut],
      )
      .inSingletonScope();
    bind(GatewayTokens.accessCache)
      .toResolvedValue(
        (projects: ProjectAccess, clock: Clock) => new ReadAccessCache(projects, clock),
        [GatewayTokens.projectAccess, Platform.clock],
      )
      .inSingletonScope();
    bind(GatewayTokens.router)
      .toResolvedValue(
        (registry: ClientRegistry, access: ReadAccessCache, simulations: SimulationFeeds) =>
          createEventRouter({ registry, access, simulations }),
        [GatewayTokens.registry, GatewayTokens.accessCache, GatewayTokens.simulationFeeds],
      )
      .inSingletonScope();
    bind(GatewayTokens.sessions)
      .toResolvedValue(
        (registry: ClientRegistry, simulations: SimulationAccess, simulationFeeds: SimulationFeeds, notificationFeeds: NotificationFeeds) =>
          new LiveSessions({ registry, simulations, simulationFeeds, notificationFeeds }),
        [GatewayTokens.registry, GatewayTokens.simulationAccess, GatewayTokens.simulationFeeds, GatewayTokens.notificationFeeds],
      )
      .inSingletonScope();
    bind(GatewayTokens.hub)
      .toResolvedValue(
        (
          sessions: LiveSessions,
          registry: ClientRegistry,
          authenticator: Authenticator,
          ids: IdGenerator,
          clock: Clock,
          logger: Logger,
          limits: ClientRateLimits,
          collaboration: SocketRoute,
        ) =>
          new WebSocketHub(
            { sessions, registry, authenticator, ids, clock, logger: logger.child({ component: 'websocket' }) },
            {
              maxMessageBytes: settings.websocket.maxMessageBytes,
              authTimeoutMs: settings.websocket.authTimeoutMs,
              heartbeatMs: settings.websocket.heartbeatMs,
              connectionLimits: settings.websocket.connection,
              maxSocketsPerUser: settings.websocket.maxPerUser,
              allowOrigin: (origin, host) => sameOriginOrAllowed(origin, host, settings.corsOrigins),
              admit: (address) => limits.perAddress.take(`ip:${address}`),
              observer: processMetrics.websocket,
              routes: [collaboration],
            },
          ),
        [
          GatewayTokens.sessions,
          GatewayTokens.registry,
          GatewayTokens.authenticator,
          Platform.ids,
          Platform.clock,
          Platform.logger,
          GatewayTokens.limits,
          CollaborationTokens.route,
        ],
      )
      .inSingletonScope();
  });

const sameOriginOrAllowed = (origin: string, host: string, allowed: readonly string[]): boolean =>
  allowed.includes('*') || allowed.includes(origin) || origin === `http://${host}` || origin === `https://${host}`;
