import { Container } from 'inversify';
import type { AuthService } from '../../core/auth/index.js';
import type { StoredSigningKeys } from '../../adapters/crypto/stored-signing-keys.js';
import { EventChannels, Queues } from '../../core/messaging/channels.js';
import { authGrpcService } from '../../adapters/grpc/auth/auth-grpc-service.js';
import { AuthServiceService } from '../../adapters/grpc/generated/auth.js';
import { GatewayServiceClient } from '../../adapters/grpc/generated/gateway.js';
import { GrpcGatewayMessages } from '../../adapters/grpc/gateway/grpc-gateway-messages.js';
import { defaultCallTimeoutMs } from '../../core/resilience/deadline.js';
import { registerAuthRoutes } from '../../adapters/http/auth/auth-routes.js';
import { ForwardedAddressSigner } from '../../adapters/http/forwarded-address.js';
import { InMemoryLoginFailureLog } from '../../adapters/memory/in-memory-login-failure-log.js';
import type { Logger } from '../../adapters/observability/logger.js';
import { OutageTolerantLoginFailureLog } from '../../adapters/redis/outage-tolerant-login-failure-log.js';
import { RedisLoginFailureLog } from '../../adapters/redis/redis-login-failure-log.js';
import { startOutboxRelay } from '../outbox-relay.js';
import { Platform, platformModule } from '../platform-module.js';
import { resolve } from '../tokens.js';
import type { ServiceContext, ServiceRoot } from '../service-context.js';
import { serviceClientDefences } from '../client-defences.js';
import { serveService } from '../service-server.js';
import { AuthTokens, authModule } from './auth-module.js';
import { subscribeProjectGrants } from '../../core/auth/project-grants.js';

/** The email worker pool of the auth service on `async:email:queue`. */
const EMAIL_WORKERS = 'auth-email-workers';

/**
 * The auth service: gRPC `auth.AuthService` (9000), the client API (9001), the welcome-email worker
 * on `async:email:queue`, and a listener on `system:announcements`.
 */
export const startAuthService: ServiceRoot = async (context) => {
  const logger = context.logger.child({ service: 'auth' });
  const storage = await context.openStorage('auth', logger);
  const container = new Container();
  container.load(platformModule(context, logger), authModule);
  if (storage.module) container.load(storage.module);
  container.bind(AuthTokens.loginFailures).toConstantValue(loginFailureLog(context));
  const gateways = context.clientFor('api-gateway', GatewayServiceClient);
  container
    .bind(AuthTokens.sockets)
    .toConstantValue(
      new GrpcGatewayMessages(gateways, 'auth', defaultCallTimeoutMs('api-gateway'), logger.child({ component: 'gateway-messages' })),
    );
  const auth = await container.getAsync<AuthService>(AuthTokens.service);
  const signingKeys = await container.getAsync<StoredSigningKeys>(AuthTokens.keys);

  const emailWorker = await context.messaging.jobs.work(Queues.email, EMAIL_WORKERS, async (job) => {
    const sent = await auth.handleEmailJob(job);
    if (!sent.ok) logEmailJobFailure(logger, job.id, sent.error);
  });
  const announcements = await context.messaging.events.subscribe(EventChannels.systemAnnouncements, (event) =>
    logger.info({ announcement: event }, 'system announcement'),
  );
  // Keeps resource grants in step with projects, so CheckPermission with a resource_id answers for owners and shares.
  const projectGrants = await subscribeProjectGrants(context.messaging.events, auth, logger.child({ component: 'project-grants' }));

  const relay = startOutboxRelay({
    outbox: resolve(container, AuthTokens.outbox),
    events: resolve(container, Platform.publisher),
    messaging: context.messaging,
    settings: context.config.outbox,
    logger,
    tracer: context.tracer,
  });
  const release = async () => {
    await relay.stop();
    await emailWorker.stop();
    await announcements.unsubscribe();
    await projectGrants.unsubscribe();
    await container.unbindAllAsync();
    gateways.close();
    await storage.close();
  };
  const ports = context.config.ports.auth;
  try {
    return await serveService({
      name: 'auth',
      tracer: context.tracer,
      bindHost: context.config.bindHost,
      grpcTls: context.grpcTls,
      metricsToken: context.config.metricsToken,
      httpServer: context.config.httpServer,
      grpcPort: ports.grpcPort,
      httpPort: ports.httpPort,
      idempotentWrites: resolve(container, AuthTokens.idempotentWrites),
      clientDefences: serviceClientDefences(context.config),
      logger,
      grpcServices: [{ definition: AuthServiceService, implementation: authGrpcService(auth, logger, signingKeys) }],
      registerRoutes: (app) =>
        registerAuthRoutes(app, auth, {
          addressTrust: {
            trustedProxies: context.config.auth.trustedProxies,
            forwarded: new ForwardedAddressSigner(context.config.forwardingKey),
          },
        }),
      onStop: release,
    });
  } catch (error) {
    await release();
    throw error;
  }
};

/**
 * Failed logins counted once for every auth instance on the mesh's Redis, per instance while Redis
 * cannot answer; without Redis, per instance.
 */
const loginFailureLog = (context: ServiceContext) => {
  const redis = context.config.redis ? context.messaging.redis : undefined;
  if (!redis) return new InMemoryLoginFailureLog();
  return new OutageTolerantLoginFailureLog(
    new RedisLoginFailureLog(redis),
    new InMemoryLoginFailureLog(),
    () => redis.command.status === 'ready',
  );
};

/** A job the domain refuses (malformed, unknown type) is logged and acknowledged: retrying cannot fix it. */
const logEmailJobFailure = (logger: Logger, jobId: string, failure: { code: string; message: string }) =>
  logger.error({ jobId, code: failure.code }, `email job dropped: ${failure.message}`);
