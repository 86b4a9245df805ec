import type { DeliveryWatcher, DomainEvent, EventBus, EventHandler, Subscription } from '../../core/messaging/events.js';
import { RecentIds } from '../../core/messaging/recent-ids.js';

/** Ids remembered per subscription by default: minutes of the mesh's event rate. */
export const defaultRememberedEventIds = 10_000;

/**
 * An event bus whose every subscription drops an event whose `event_id` it has delivered already
 * (docs/adr/0038): the outbox relay sends at least once, the handlers see each event once. Events
 * without an id (published directly) are all delivered. Each subscription keeps its own memory,
 * so two subscribers of one channel both get the event.
 */
export class DeduplicatingEventBus implements EventBus {
  constructor(
    private readonly inner: EventBus,
    private readonly remembered: number = defaultRememberedEventIds,
  ) {}

  publish(channel: string, event: DomainEvent): Promise<void> {
    return this.inner.publish(channel, event);
  }

  subscribe(channel: string, handler: EventHandler): Promise<Subscription> {
    return this.inner.subscribe(channel, this.once(handler));
  }

  subscribePattern(pattern: string, handler: EventHandler): Promise<Subscription> {
    return this.inner.subscribePattern(pattern, this.once(handler));
  }
  watchDelivery(watcher: DeliveryWatcher): () => void {
    return this.inner.watchDelivery(watcher);
  }

  private once(handler: EventHandler): EventHandler {
    const seen = new RecentIds(this.remembered);
    return (event, channel) => {
      const id = event.event_id;
      if (typeof id === 'string' && id !== '') {
        if (seen.has(id)) return;
        seen.add(id);
      }
      return handler(event, channel);
    };
  }
}
