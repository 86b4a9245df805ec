import type { FastifyInstance } from 'fastify';
import { Container } from 'inversify';
import {
  deliverNotifyJob,
  GATEWAY_EVENT_PATTERNS,
  type ClientRegistry,
  type NotificationFeeds,
  type SimulationFeeds,
} from '../../core/gateway/index.js';
import { Queues } from '../../core/messaging/channels.js';
import type { EventHandler, Subscription } from '../../core/messaging/events.js';
import type { Worker } from '../../core/messaging/work-queue.js';
import { gatewayGrpcService } from '../../adapters/grpc/gateway/gateway-grpc-service.js';
import { GatewayServiceService } from '../../adapters/grpc/generated/gateway.js';
import { loadDashboardAssets } from '../../adapters/http/dashboard/dashboard-assets.js';
import { registerDashboard } from '../../adapters/http/dashboard/dashboard-plugin.js';
import { CallerCheck } from '../../adapters/http/gateway/caller.js';
import type { LocalTokenAuthenticator } from '../../adapters/grpc/gateway/local-token-authenticator.js';
import { bearerToken } from '../../adapters/http/bearer-token.js';
import { registerGatewayRoutes } from '../../adapters/http/gateway/gateway-routes.js';
import { webSocketDocs } from '../../adapters/websocket/web-socket-docs.js';
import { resolve } from '../tokens.js';
import { Platform, platformModule } from '../platform-module.js';
import type { ServiceContext, ServiceRoot } from '../service-context.js';
import { serveService } from '../service-server.js';
import { GatewayTokens, gatewayModule } from './gateway-module.js';
import type { GatewaySettings } from '../config.js';

/** Notify jobs enqueued this long before an instance started still reach its sockets (clock skew between hosts). */
const NOTIFY_SKEW_MS = 5_000;

/**
 * The API gateway: gRPC `gateway.GatewayService` (8000) over the clients of every gateway instance,
 * kept in the shared client directory (docs/adr/0052); the client API and the WebSockets
 * `/simulation/stream` and `/events` (8001); the specification's pub/sub patterns (docs/specification.md#subscriptions) routed to the
 * sockets that may see them; and this instance's own worker pool on `async:notifications:queue`
 * (every instance must see every job: see the gateway ADR).
 */
export const gatewayRoot =
  (overrides: Partial<GatewaySettings> = {}): ServiceRoot =>
  async (context: ServiceContext) => {
    const settings: GatewaySettings = { ...context.config.gateway, instanceId: context.instanceId, ...overrides };
    const logger = context.logger.child({ service: 'api-gateway', instance: settings.instanceId });
    const container = new Container();
    container.load(platformModule(context, logger), ...gatewayModule(context, settings));
    const startedAt = resolve(container, Platform.clock).now();

    const registry = resolve(container, GatewayTokens.registry);
    const directorySync = resolve(container, GatewayTokens.directorySync);
    const gateway = resolve(container, GatewayTokens.service);
    const router = resolve(container, GatewayTokens.router);
    const hub = resolve(container, GatewayTokens.hub);
    const fanOut = resolve(container, GatewayTokens.fanOut);
    const simulationFeeds = resolve(container, GatewayTokens.simulationFeeds);
    const notificationFeeds = resolve(container, GatewayTokens.notificationFeeds);

    const subscriptions: Subscription[] = [];
    let worker: Worker | undefined;
    const heartbeat = setInterval(() => void directorySync.beat(), context.config.mesh.heartbeatMs);
    heartbeat.unref();
    const release = async () => {
      clearInterval(heartbeat);
      await hub.close();
      // After the sockets: their closes are written first, then the instance leaves the directory.
      await directorySync.stop();
      await worker?.stop();
      await Promise.allSettled(subscriptions.map((subscription) => subscription.unsubscribe()));
      await fanOut.close();
      resolve(container, GatewayTokens.authClients).close();
      resolve(container, GatewayTokens.projectClients).close();
      resolve(container, GatewayTokens.simulationClients).close();
      resolve(container, GatewayTokens.gatewayClients).close();
      await resolve(container, GatewayTokens.http2).close();
      await container.unbindAllAsync();
    };

    try {
      await directorySync.beat();
      void resolve(container, GatewayTokens.signingKeys).refresh();
      const sessions = resolve(container, GatewayTokens.sessionCache);
      const AUTH_EVENTS: (typeof GATEWAY_EVENT_PATTERNS)[number] = 'auth:events:*';
      for (const pattern of GATEWAY_EVENT_PATTERNS) {
        // One subscription to auth's events: logouts and permission changes evict cached sessions on every
        // gateway (docs/adr/0022) before the event goes on to the user's sockets.
        const handle: EventHandler =
          pattern === AUTH_EVENTS
            ? (event, channel) => {
                sessions.apply(event);
                return router.route(channel, event).then(() => undefined);
              }
            : (event, channel) => router.route(channel, event).then(() => undefined);
        subscriptions.push(await context.messaging.events.subscribePattern(pattern, handle));
      }
      worker = await context.messaging.jobs.work(
        Queues.notifications,
        `gateway-notifications-${settings.instanceId}`,
        async (job) => {
          deliverNotifyJob(registry, job, startedAt - NOTIFY_SKEW_MS);
        },
        { concurrency: 4 },
      );
      const health = () => healthDetails(settings, registry, simulationFeeds, notificationFeeds, hub.stats().sockets);
      return await serveService({
        name: 'api-gateway',
        tracer: context.tracer,
        bindHost: context.config.bindHost,
        grpcTls: context.grpcTls,
        metricsToken: context.config.metricsToken,
        httpServer: context.config.httpServer,
        grpcPort: context.config.ports['api-gateway'].grpcPort,
        httpPort: context.config.ports['api-gateway'].httpPort,
        logger,
        grpcServices: [{ definition: GatewayServiceService, implementation: gatewayGrpcService(gateway, health, logger) }],
        webSockets: webSocketDocs,
        registerRoutes: async (app) => {
          hub.attach(app.server);
          endSessionsOnLogout(app, resolve(container, GatewayTokens.localAuthenticator));
          // Upgraded sockets keep the HTTP server from closing: end them first.
          app.addHook('preClose', async () => hub.close());
          await registerGatewayRoutes(app, {
            authenticator: resolve(container, GatewayTokens.authenticator),
            projects: resolve(container, GatewayTokens.projectBackend),
            simulations: resolve(container, GatewayTokens.simulationBackend),
            admin: resolve(container, GatewayTokens.adminBackend),
            adminHooks: {
              userDeactivated: (userId) => {
                resolve(container, GatewayTokens.sessionCache).evictUser(userId);
                closeSocketsOf(registry, userId);
              },
            },
            forwarder: resolve(container, GatewayTokens.forwarder),
            forwardTargets: { auth: () => context.targetOf('auth').http, project: () => context.targetOf('project').http },
            limits: resolve(container, GatewayTokens.limits),
            cors: { allowedOrigins: settings.corsOrigins },
            security: { behindTls: settings.behindTls },
          });
          const caller = new CallerCheck(resolve(container, GatewayTokens.authenticator), resolve(container, GatewayTokens.limits).perUser);
          const meshStatus = context.meshStatus;
          await registerDashboard(app, {
            assets: loadDashboardAssets(),
            ...(meshStatus && { meshStatus: { identify: (request, reply) => caller.identify(request, reply), status: meshStatus } }),
          });
        },
        onStop: release,
      });
    } catch (error) {
      await release();
      throw error;
    }
  };

/** A logout this gateway passed on to auth ends the session here before the client can send another request. */
const endSessionsOnLogout = (app: FastifyInstance, authenticator: LocalTokenAuthenticator): void => {
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method === 'POST' && request.url === '/auth/logout' && reply.statusCode === 204) {
      const token = bearerToken(request.headers.authorization);
      if (token.ok) await authenticator.sessionEnded(token.value);
    }
    return payload;
  });
};

/** Every socket of the user on this instance closes: their account was deactivated (docs/adr/0054). */
const closeSocketsOf = (registry: ClientRegistry, userId: string): void => {
  for (const { connection } of registry.ofUser(userId)) connection?.close('unauthenticated', 'account deactivated');
};

/** The gateway as the launcher starts it: settings from `GATEWAY_*` variables. */
export const startGatewayService: ServiceRoot = (context) => gatewayRoot()(context);

const healthDetails = (
  settings: GatewaySettings,
  registry: ClientRegistry,
  simulations: SimulationFeeds,
  notifications: NotificationFeeds,
  sockets: number,
): Record<string, string> => ({
  instance_id: settings.instanceId,
  clients: String(registry.size),
  websockets: String(sockets),
  simulation_readers: String(simulations.simulations.length),
  notification_readers: String(notifications.users.length),
});
