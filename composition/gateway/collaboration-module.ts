import { ContainerModule } from 'inversify';
import { CollaborationSessions, type ClientRegistry, type ProjectCollaboration, type StreamFanOut } from '../../core/gateway/index.js';
import { GrpcProjectCollaboration } from '../../adapters/grpc/gateway/grpc-project-collaboration.js';
import type { ProjectServiceClient } from '../../adapters/grpc/generated/project.js';
import type { ServiceCalls } from '../../adapters/grpc/mesh/mesh-client.js';
import type { Logger } from '../../adapters/observability/logger.js';
import { collaborationRoute } from '../../adapters/websocket/collaboration-route.js';
import type { SocketRoute } from '../../adapters/websocket/socket-route.js';
import type { GatewaySettings } from '../config.js';
import { Platform } from '../platform-module.js';
import { token, type Token } from '../tokens.js';

export const CollaborationTokens = {
  projects: token<ProjectCollaboration>('ProjectCollaboration'),
  sessions: token<CollaborationSessions>('CollaborationSessions'),
  route: token<SocketRoute>('CollaborationRoute'),
};

const every = (ms: number, task: () => void): (() => void) => {
  const timer = setInterval(task, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/**
 * The gateway's collaboration socket (docs/adr/0050): the project service's collaboration rpcs,
 * the sessions of this instance's collaborators and the `/collaboration` route the hub serves.
 * Tokens it needs from the gateway module are passed in, so the two modules stay apart.
 */
export const collaborationModule = (
  settings: GatewaySettings,
  gatewayTokens: {
    readonly projectClients: Token<unknown>;
    readonly registry: Token<unknown>;
    readonly fanOut: Token<unknown>;
  },
): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind(CollaborationTokens.projects)
      .toResolvedValue(
        (clients: ServiceCalls<ProjectServiceClient>) => new GrpcProjectCollaboration(clients, settings.timeouts.project),
        [gatewayTokens.projectClients],
      )
      .inSingletonScope();
    bind(CollaborationTokens.sessions)
      .toResolvedValue(
        (registry: ClientRegistry, fanOut: StreamFanOut, projects: ProjectCollaboration, logger: Logger) =>
          new CollaborationSessions({
            registry,
            fanOut,
            projects,
            every,
            reportFault: (error, context) => logger.warn({ err: error }, `collaboration: ${context}`),
          }),
        [gatewayTokens.registry, gatewayTokens.fanOut, CollaborationTokens.projects, Platform.logger],
      )
      .inSingletonScope();
    bind(CollaborationTokens.route)
      .toResolvedValue((sessions: CollaborationSessions) => collaborationRoute(sessions), [CollaborationTokens.sessions])
      .inSingletonScope();
  });
