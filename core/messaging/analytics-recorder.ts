import type { DomainEvent, EventPublisher } from './events.js';
import { EventChannels, Streams } from './channels.js';
import type { StreamProducer } from './streams.js';
import type { Log } from '../shared/log.js';

/** Events that are also user interactions worth counting (the simulation service records its runs itself). */
const recordedChannels: ReadonlySet<string> = new Set([EventChannels.authLogin, EventChannels.projectCreated]);

/**
 * An event publisher that also appends the interactions among its events (logins, project
 * creations) to `analytics:stream:events`, where the publisher is, so each is recorded once
 * whatever the number of subscribers. A failed append is logged and does not stop the event.
 */
export const recordingAnalytics = (publisher: EventPublisher, streams: StreamProducer, logger: Log): EventPublisher => ({
  publish: async (channel: string, event: DomainEvent) => {
    if (recordedChannels.has(channel)) {
      await streams
        .append(Streams.analyticsEvents, analyticsEntry(channel, event))
        .catch((error: unknown) => logger.warn({ err: error, channel }, 'analytics event not recorded'));
    }
    await publisher.publish(channel, event);
  },
});

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

const analyticsEntry = (channel: string, event: DomainEvent): Record<string, string> => ({
  type: channel === EventChannels.authLogin ? 'login' : 'project_created',
  user_id: text(event['user_id']),
  project_id: text(event['project_id']),
  timestamp: String(event.timestamp),
});
