import { Container } from 'inversify';
import { EventChannels, Queues } from '../../core/messaging/channels.js';
import type { Subscription } from '../../core/messaging/events.js';
import type { Worker } from '../../core/messaging/work-queue.js';
import { SimulationServiceService } from '../../adapters/grpc/generated/simulation.js';
import { simulationGrpcService } from '../../adapters/grpc/simulation/simulation-grpc-service.js';
import { registerSimulationRoutes } from '../../adapters/http/simulation/simulation-routes.js';
import { startOutboxRelay } from '../outbox-relay.js';
import { Platform, platformModule } from '../platform-module.js';
import type { ServiceContext, ServiceRoot } from '../service-context.js';
import { serviceClientDefences } from '../client-defences.js';
import { serveService } from '../service-server.js';
import { resolve } from '../tokens.js';
import { analyticsJobHandler } from '../../core/simulation/analytics-jobs.js';
import { cleanupJobHandler, scheduleCleanup } from '../../core/simulation/cleanup-jobs.js';
import { projectUpdatedHandler } from '../../core/simulation/project-events.js';
import { SimulationTokens, simulationModule } from './simulation-module.js';
import type { SimulationSettings } from '../config.js';
import type { GrpcAuthClient } from '../../adapters/grpc/auth/auth-grpc-client.js';
import type { Logger } from '../../adapters/observability/logger.js';
import type { SimulationService } from '../../core/simulation/simulation-service.js';
import { followAuthorityChanges } from '../permission-cache.js';

/** How often the current announcements are read from auth again, and retried after a failure. */
const ANNOUNCEMENT_SYNC_MS = 60_000;
const ANNOUNCEMENT_RETRY_MS = 5_000;

/**
 * Reads auth's current announcements now and then every minute (every 5 s until the first read
 * succeeds), so a maintenance window announced before this instance started, or while Redis was
 * away, still turns new runs away (docs/adr/0056).
 */
const syncAnnouncements = (auth: GrpcAuthClient, simulations: SimulationService, logger: Logger): { stop(): void } => {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const read = async (): Promise<void> => {
    let nextMs = ANNOUNCEMENT_SYNC_MS;
    try {
      const current = await auth.currentAnnouncements();
      if (current.ok) current.value.forEach((event) => simulations.applyAnnouncement(event));
      else nextMs = ANNOUNCEMENT_RETRY_MS;
    } catch (error) {
      logger.warn({ err: error }, 'cannot read the current announcements from auth; trying again');
      nextMs = ANNOUNCEMENT_RETRY_MS;
    }
    if (!stopped) timer = setTimeout(() => void read(), nextMs).unref();
  };
  void read();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
};

/** Worker pools of the simulation service on the shared queues. */
const CLEANUP_WORKERS = 'simulation-cleanup-workers';
const ANALYTICS_WORKERS = 'simulation-analytics-workers';

/**
 * The simulation service: gRPC `simulation.SimulationService` (11000), the client API (11001), and
 * its background work: stopping a deleted project's runs (`project:events:updated`), the cleanup
 * and analytics workers (`async:cleanup:queue`, `async:analytics:queue`) with a periodic cleanup
 * job, and a listener on `system:announcements`. On stop, runs in progress are stopped with their
 * partial results kept before the repository goes away.
 */
export const startSimulationService: ServiceRoot = (context) => startSimulationServiceWith(context, context.config.simulation);

/** As `startSimulationService`, with the settings given rather than read from the environment (tests). */
export const startSimulationServiceWith = async (context: ServiceContext, settings: SimulationSettings): ReturnType<ServiceRoot> => {
  const logger = context.logger.child({ service: 'simulation' });
  const storage = await context.openStorage('simulation', logger);
  const container = new Container();
  container.load(platformModule(context, logger), simulationModule(context, settings));
  if (storage.module) container.load(storage.module);
  const simulations = resolve(container, SimulationTokens.service);
  const repository = resolve(container, SimulationTokens.repository);
  const tokenCheck = resolve(container, SimulationTokens.tokenCheck);
  const scheduler = resolve(container, SimulationTokens.scheduler);
  const reportFault = resolve(container, SimulationTokens.reportFault);
  const clock = resolve(container, Platform.clock);
  const { events, streams, jobs } = context.messaging;

  const workers: Worker[] = [];
  const subscriptions: Subscription[] = [];
  const cleanupSchedule = scheduleCleanup({
    scheduler,
    jobs,
    intervalMs: settings.cleanupIntervalMs,
    retentionMs: settings.retentionMs,
    reportFault,
  });
  const relay = startOutboxRelay({
    outbox: resolve(container, SimulationTokens.outbox),
    events: resolve(container, Platform.publisher),
    messaging: context.messaging,
    settings: context.config.outbox,
    logger,
    tracer: context.tracer,
  });
  let announcementSync: { stop(): void } | undefined;
  const release = async () => {
    cleanupSchedule.cancel();
    announcementSync?.stop();
    await Promise.allSettled(subscriptions.map((subscription) => subscription.unsubscribe()));
    await Promise.allSettled(workers.map((worker) => worker.stop()));
    await simulations.shutdown();
    await relay.stop();
    await container.unbindAllAsync();
    await storage.close();
  };
  try {
    const jobLogger = logger.child({ component: 'jobs' });
    workers.push(await jobs.work(Queues.cleanup, CLEANUP_WORKERS, cleanupJobHandler({ repository, streams, clock, logger: jobLogger })));
    workers.push(
      await jobs.work(Queues.analytics, ANALYTICS_WORKERS, analyticsJobHandler({ repository, streams, clock, logger: jobLogger })),
    );
    // Auth's grants are kept (docs/adr/0070): its events about a user evict them.
    subscriptions.push(await followAuthorityChanges(events, resolve(container, SimulationTokens.permissionCache), logger));
    subscriptions.push(await events.subscribe(EventChannels.projectUpdated, projectUpdatedHandler({ simulations, repository, logger })));
    subscriptions.push(
      await events.subscribe(EventChannels.systemAnnouncements, (event) => {
        const window = simulations.applyAnnouncement(event);
        logger.info({ announcement: event, maintenance: window !== undefined }, 'system announcement');
      }),
    );
    // Announcements made while this instance was away, or lost on the way (pub/sub keeps nothing): read from auth.
    announcementSync = syncAnnouncements(resolve(container, SimulationTokens.auth), simulations, logger);
    const ports = context.config.ports.simulation;
    return await serveService({
      name: 'simulation',
      tracer: context.tracer,
      bindHost: context.config.bindHost,
      grpcTls: context.grpcTls,
      metricsToken: context.config.metricsToken,
      httpServer: context.config.httpServer,
      grpcPort: ports.grpcPort,
      httpPort: ports.httpPort,
      idempotentWrites: resolve(container, SimulationTokens.idempotentWrites),
      logger,
      clientDefences: serviceClientDefences(context.config),
      grpcServices: [{ definition: SimulationServiceService, implementation: simulationGrpcService(simulations, logger) }],
      registerRoutes: (app) => {
        if (context.config.clientEntry === 'all') registerSimulationRoutes(app, simulations, tokenCheck);
      },
      onStop: release,
    });
  } catch (error) {
    await release();
    throw error;
  }
};
