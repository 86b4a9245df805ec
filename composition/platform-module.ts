import { ContainerModule } from 'inversify';
import type { Clock } from '../core/shared/clock.js';
import type { IdGenerator } from '../core/shared/ids.js';
import type { EventBus, EventPublisher } from '../core/messaging/events.js';
import type { StreamStore } from '../core/messaging/streams.js';
import type { JobQueue } from '../core/messaging/work-queue.js';
import type { Logger } from '../adapters/observability/logger.js';
import { RandomIdGenerator } from '../adapters/system/random-id-generator.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { recordingAnalytics } from '../core/messaging/analytics-recorder.js';
import type { MeshConfig } from './config.js';
import type { ServiceContext } from './service-context.js';
import { token } from './tokens.js';

/** What every service's container has: configuration, logging, time, ids, and this process's layer 3. */
export const Platform = {
  config: token<MeshConfig>('MeshConfig'),
  logger: token<Logger>('Logger'),
  clock: token<Clock>('Clock'),
  ids: token<IdGenerator>('IdGenerator'),
  events: token<EventBus>('EventBus'),
  /** Publishing for the use cases: the bus, with logins and project creations also recorded as analytics. */
  publisher: token<EventPublisher>('EventPublisher'),
  streams: token<StreamStore>('StreamStore'),
  jobs: token<JobQueue>('JobQueue'),
};

export const platformModule = (context: ServiceContext, logger: Logger): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind(Platform.config).toConstantValue(context.config);
    bind(Platform.logger).toConstantValue(logger);
    bind(Platform.clock).toConstantValue(new SystemClock());
    bind(Platform.ids).toConstantValue(new RandomIdGenerator());
    bind(Platform.events).toConstantValue(context.messaging.events);
    bind(Platform.publisher).toConstantValue(recordingAnalytics(context.messaging.events, context.messaging.streams, logger));
    bind(Platform.streams).toConstantValue(context.messaging.streams);
    bind(Platform.jobs).toConstantValue(context.messaging.jobs);
  });
