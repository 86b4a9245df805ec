import { Container } from 'inversify';
import type { ExportService, ExportSettings } from '../../core/exports/index.js';
import { EventChannels, Queues } from '../../core/messaging/channels.js';
import type { Subscription } from '../../core/messaging/events.js';
import type { Job, Worker } from '../../core/messaging/work-queue.js';
import { emailLookup, remoteTokenCheck } from '../../adapters/grpc/auth/auth-grpc-client-ports.js';
import { ProjectServiceService } from '../../adapters/grpc/generated/project.js';
import { AuthServiceClient } from '../../adapters/grpc/generated/auth.js';
import { SimulationServiceClient } from '../../adapters/grpc/generated/simulation.js';
import { GatewayServiceClient } from '../../adapters/grpc/generated/gateway.js';
import { projectAnswersFromWrites, projectGrpcService } from '../../adapters/grpc/project/project-grpc-service.js';
import { registerExportRoutes } from '../../adapters/http/project/export-routes.js';
import { registerProjectRoutes } from '../../adapters/http/project/project-routes.js';
import { registerTemplateRoutes } from '../../adapters/http/project/template-routes.js';
import type { Logger } from '../../adapters/observability/logger.js';
import { dependencyStates } from '../../adapters/grpc/mesh/dependency-states.js';
import { startOutboxRelay } from '../outbox-relay.js';
import { followAuthorityChanges } from '../permission-cache.js';
import type { PermissionCache } from '../../core/shared/permission-cache.js';
import { Platform, platformModule } from '../platform-module.js';
import type { ServiceContext, ServiceRoot } from '../service-context.js';
import { serviceClientDefences } from '../client-defences.js';
import { serveService } from '../service-server.js';
import { resolve } from '../tokens.js';
import { ProjectTokens, projectModule, type ProjectModuleOptions } from './project-module.js';
import type { CollaborationPresence, ProjectService } from '../../core/project/index.js';
import { InMemoryCollaborationPresence } from '../../adapters/memory/in-memory-collaboration-presence.js';
import { RedisCollaborationPresence } from '../../adapters/redis/redis-collaboration-presence.js';

/** Worker pools of the project service. */
const REPORT_WORKERS = 'project-report-workers';
const EXPORT_WORKERS = 'project-export-workers';

export interface ProjectRootOptions {
  readonly timeouts?: ProjectModuleOptions['timeouts'];
  readonly exports?: Partial<ExportSettings>;
  /** How often expired exports are deleted. Default 10 minutes. */
  readonly cleanupIntervalMs?: number;
}

/**
 * The project service with these options: gRPC `project.ProjectService` (10000), the client API
 * (10001: projects, templates, exports), the report and export workers on `async:reports:queue` and
 * `async:exports:queue`, and listeners on `auth:events:*` (evicting kept permission grants, docs/adr/0070) and `system:announcements`.
 */
export const projectRoot =
  (options: ProjectRootOptions = {}): ServiceRoot =>
  async (context) => {
    const logger = context.logger.child({ service: 'project' });
    const storage = await context.openStorage('project', logger);
    const container = new Container();
    container.load(
      platformModule(context, logger),
      projectModule({
        clients: clientsOf(context),
        timeouts: options.timeouts,
        exports: options.exports,
        presence: collaborationPresence(context),
        presenceTtlMs: context.config.collaborationPresenceTtlMs,
        editWindow: context.config.streamRetention.collaboration,
        permissionCache: context.config.permissionCache,
      }),
    );
    if (storage.module) container.load(storage.module);
    const projects = resolve(container, ProjectTokens.service);
    const exports = resolve(container, ProjectTokens.exportService);
    const settings = resolve(container, ProjectTokens.exportSettings);
    const auth = resolve(container, ProjectTokens.auth);
    const channels = {
      auth: resolve(container, ProjectTokens.authChannel),
      simulation: resolve(container, ProjectTokens.simulationChannel),
      gateway: resolve(container, ProjectTokens.gatewayChannel),
    };

    const relay = startOutboxRelay({
      outbox: resolve(container, ProjectTokens.outbox),
      events: resolve(container, Platform.publisher),
      messaging: context.messaging,
      settings: context.config.outbox,
      logger,
      tracer: context.tracer,
    });
    let background: { stop(): Promise<void> } | undefined;
    let sweeper: NodeJS.Timeout | undefined;
    const release = async () => {
      clearInterval(sweeper);
      await background?.stop();
      await relay.stop();
      Object.values(channels).forEach((channel) => channel.close());
      await container.unbindAllAsync();
      await storage.close();
    };
    const tokenCheck = remoteTokenCheck(auth);
    const emailOf = emailLookup(auth);
    const writes = resolve(container, ProjectTokens.idempotentWrites);
    const ports = context.config.ports.project;
    try {
      background = await startBackgroundWork(
        context,
        logger,
        exports,
        settings,
        resolve(container, ProjectTokens.permissionCache),
        options.cleanupIntervalMs,
      );
      sweeper = sweepCollaborators(projects, context.config.collaborationPresenceTtlMs, logger);
      return await serveService({
        name: 'project',
        tracer: context.tracer,
        bindHost: context.config.bindHost,
        grpcTls: context.grpcTls,
        metricsToken: context.config.metricsToken,
        httpServer: context.config.httpServer,
        grpcPort: ports.grpcPort,
        httpPort: ports.httpPort,
        idempotentWrites: writes,
        clientDefences: serviceClientDefences(context.config),
        logger,
        grpcServices: [
          {
            definition: ProjectServiceService,
            implementation: projectGrpcService(projects, logger, {
              emailOf,
              healthDetails: () => dependencyStates({ auth: channels.auth, simulation: channels.simulation }),
            }),
            answersFromWrites: projectAnswersFromWrites,
          },
        ],
        registerRoutes: (app) => {
          if (context.config.clientEntry === 'all') {
            registerProjectRoutes(app, projects, tokenCheck, emailOf);
            registerTemplateRoutes(app, projects, tokenCheck);
          }
          registerExportRoutes(app, exports, tokenCheck, writes);
        },
        onStop: release,
      });
    } catch (error) {
      await release();
      throw error;
    }
  };

/** Collaboration presence shared by every project instance on the mesh's Redis; in this process without Redis. */
const collaborationPresence = (context: ServiceContext): CollaborationPresence => {
  const redis = context.config.redis ? context.messaging.redis : undefined;
  return redis ? new RedisCollaborationPresence(redis) : new InMemoryCollaborationPresence();
};

/**
 * Takes clients whose presence ran out out of their sessions (docs/adr/0050): every instance sweeps,
 * each client goes once, so a dead gateway's clients leave within about 1.2 times the TTL.
 */
const sweepCollaborators = (projects: ProjectService, ttlMs: number, logger: Logger): NodeJS.Timeout => {
  let running = false;
  const timer = setInterval(
    () => {
      if (running) return;
      running = true;
      projects
        .expireCollaborators()
        .then((expired) => expired.length > 0 && logger.info({ expired: expired.length }, 'collaboration clients timed out'))
        .catch((error: unknown) => logger.warn({ err: error }, 'collaboration presence not swept'))
        .finally(() => {
          running = false;
        });
    },
    Math.max(200, Math.floor(ttlMs / 5)),
  );
  timer.unref();
  return timer;
};

/** The project service with its defaults, for the launcher. */
export const startProjectService: ServiceRoot = projectRoot();

const clientsOf = (context: ServiceContext) => ({
  auth: () => context.clientFor('auth', AuthServiceClient),
  simulation: () => context.clientFor('simulation', SimulationServiceClient),
  gateway: () => context.clientFor('api-gateway', GatewayServiceClient),
});

const startBackgroundWork = async (
  context: ServiceContext,
  logger: Logger,
  exports: ExportService,
  settings: ExportSettings,
  permissions: PermissionCache,
  cleanupIntervalMs = 10 * 60 * 1000,
): Promise<{ stop(): Promise<void> }> => {
  const { jobs, events } = context.messaging;
  const runJob = async (job: Job) => {
    const outcome = await exports.runJob(job);
    // A job the domain refuses (malformed, unknown type) is logged and acknowledged: retrying cannot fix it.
    if (!outcome.ok) logger.error({ jobId: job.id, code: outcome.error.code }, outcome.error.message);
    else logger.info({ jobId: job.id, exportId: outcome.value.id, status: outcome.value.status }, 'export job done');
  };
  const workers: Worker[] = [];
  const subscriptions: Subscription[] = [];
  const cleanup = setInterval(() => {
    exports
      .deleteExpired()
      .then((deleted) => deleted > 0 && logger.info({ deleted }, 'expired exports deleted'))
      .catch((error: unknown) => logger.warn({ err: error }, 'expired exports not deleted'));
  }, cleanupIntervalMs);
  cleanup.unref();
  const stop = async () => {
    clearInterval(cleanup);
    await Promise.allSettled(workers.map((worker) => worker.stop()));
    await Promise.allSettled(subscriptions.map((subscription) => subscription.unsubscribe()));
  };
  try {
    const workerOptions = { maxAttempts: settings.maxAttempts };
    workers.push(await jobs.work(Queues.reports, REPORT_WORKERS, runJob, workerOptions));
    workers.push(await jobs.work(Queues.exports, EXPORT_WORKERS, runJob, workerOptions));
    // Auth's grants are kept (docs/adr/0070): its events about a user evict them.
    subscriptions.push(await followAuthorityChanges(events, permissions, logger));
    subscriptions.push(
      await events.subscribe(EventChannels.systemAnnouncements, (event) => logger.info({ announcement: event }, 'system announcement')),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
};
