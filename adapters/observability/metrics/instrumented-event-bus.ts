import type { DeliveryWatcher, DomainEvent, EventBus, EventHandler, Subscription } from '../../../core/messaging/events.js';
import type { MessagingMetrics } from './messaging-metrics.js';

/**
 * An EventBus that counts what goes through another one: publishes and their failures, deliveries
 * with their latency from the event's `timestamp` (the publisher's clock), handlers that threw, and
 * live subscriptions. Behaviour is the wrapped bus's, errors included.
 */
export class InstrumentedEventBus implements EventBus {
  constructor(
    private readonly inner: EventBus,
    private readonly metrics: MessagingMetrics,
    private readonly now: () => number = Date.now,
  ) {}

  async publish(channel: string, event: DomainEvent): Promise<void> {
    try {
      await this.inner.publish(channel, event);
    } catch (error) {
      this.metrics.failed(channel, 'pubsub', 'publish');
      throw error;
    }
    this.metrics.published(channel, 'pubsub');
  }

  subscribe(channel: string, handler: EventHandler): Promise<Subscription> {
    return this.counted(channel, (counting) => this.inner.subscribe(channel, counting), handler);
  }

  subscribePattern(pattern: string, handler: EventHandler): Promise<Subscription> {
    return this.counted(pattern, (counting) => this.inner.subscribePattern(pattern, counting), handler);
  }
  watchDelivery(watcher: DeliveryWatcher): () => void {
    return this.inner.watchDelivery(watcher);
  }

  private async counted(
    family: string,
    open: (handler: EventHandler) => Promise<Subscription>,
    handler: EventHandler,
  ): Promise<Subscription> {
    const subscription = await open(this.countingHandler(handler));
    this.metrics.subscribed(family, 1);
    let active = true;
    return {
      unsubscribe: async () => {
        await subscription.unsubscribe();
        if (!active) return;
        active = false;
        this.metrics.subscribed(family, -1);
      },
    };
  }

  private countingHandler(handler: EventHandler): EventHandler {
    return (event, channel) => {
      this.metrics.delivered(channel, 'pubsub', this.now() - event.timestamp);
      let result: void | Promise<void>;
      try {
        result = handler(event, channel);
      } catch (error) {
        this.metrics.failed(channel, 'pubsub', 'handler');
        throw error;
      }
      if (!result) return result;
      return result.catch((error: unknown) => {
        this.metrics.failed(channel, 'pubsub', 'handler');
        throw error;
      });
    };
  }
}
