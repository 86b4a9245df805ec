import type { DeliveryWatcher, DomainEvent, EventBus, EventHandler, Subscription } from '../../core/messaging/events.js';
import { createLogger, type Logger } from '../observability/logger.js';
import type { TraceContext } from '../observability/trace-context.js';
import { currentTrace, runReceived } from '../observability/trace-context-scope.js';
import { startProducerSpan } from '../observability/tracing/messaging-spans.js';
import { traceOfSpan } from '../observability/tracing/spans.js';
import { globMatcher } from './glob-match.js';

interface ActiveSubscription {
  readonly matches: (channel: string) => boolean;
  readonly handler: EventHandler;
  readonly describe: string;
}

interface Delivery {
  readonly subscription: ActiveSubscription;
  readonly channel: string;
  readonly json: string;
  /** The publisher's span: the handler runs in a child of it (docs/adr/0019). */
  readonly sender: TraceContext | undefined;
}

/**
 * Pub/Sub inside one process, behaving as Redis does across the wire: subscribers are the ones
 * present when `publish` is called, each gets its own copy of the event (a JSON round trip), and
 * handlers run later (setImmediate), one delivery after another in publish order, never inside
 * `publish`. Handlers are not awaited, as with a Redis client's message callback.
 */
export class InMemoryEventBus implements EventBus {
  private readonly subscriptions = new Set<ActiveSubscription>();
  private queue: Delivery[] = [];
  private drainScheduled = false;

  constructor(private readonly logger: Logger = createLogger('in-memory-event-bus')) {}

  async publish(channel: string, event: DomainEvent): Promise<void> {
    const json = toJson(channel, event);
    // A producer span when the work records spans (docs/adr/0048); handing over to the queue is its whole work.
    const span = startProducerSpan('meshwork_memory', 'publish', channel, event.event_id);
    span?.end();
    const sender = span ? traceOfSpan(span) : currentTrace();
    for (const subscription of this.subscriptions) {
      if (subscription.matches(channel)) this.queue.push({ subscription, channel, json, sender });
    }
    this.scheduleDrain();
  }

  async subscribe(channel: string, handler: EventHandler): Promise<Subscription> {
    return this.add({ matches: (candidate) => candidate === channel, handler, describe: channel });
  }

  async subscribePattern(pattern: string, handler: EventHandler): Promise<Subscription> {
    return this.add({ matches: globMatcher(pattern), handler, describe: `pattern ${pattern}` });
  }
  /** Nothing is lost between a publish and its delivery in one process: the watcher is never called. */
  watchDelivery(_watcher: DeliveryWatcher): () => void {
    return () => undefined;
  }

  private add(subscription: ActiveSubscription): Subscription {
    this.subscriptions.add(subscription);
    return {
      unsubscribe: async () => {
        this.subscriptions.delete(subscription);
      },
    };
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.queue.length === 0) return;
    this.drainScheduled = true;
    setImmediate(() => this.drain());
  }

  /** Events published by handlers during a drain wait for the next one, so a handler is never re-entered. */
  private drain(): void {
    this.drainScheduled = false;
    const batch = this.queue;
    this.queue = [];
    for (const delivery of batch) {
      if (this.subscriptions.has(delivery.subscription)) runReceived(delivery.sender, () => this.deliver(delivery));
    }
    this.scheduleDrain();
  }

  private deliver({ subscription, channel, json }: Delivery): void {
    const event = JSON.parse(json) as DomainEvent;
    try {
      const outcome = subscription.handler(event, channel);
      if (outcome) Promise.resolve(outcome).catch((error: unknown) => this.logFailure(error, subscription, channel, event));
    } catch (error) {
      this.logFailure(error, subscription, channel, event);
    }
  }

  private logFailure(error: unknown, subscription: ActiveSubscription, channel: string, event: DomainEvent): void {
    this.logger.error(
      { err: error, channel, subscription: subscription.describe, eventType: event.type },
      'event handler failed; delivery goes on',
    );
  }
}

/** The wire format: JSON text. Anything JSON cannot carry is refused here rather than garbled. */
function toJson(channel: string, event: DomainEvent): string {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new TypeError(`Event on ${channel} must be a JSON object, got ${event === null ? 'null' : typeof event}`);
  }
  try {
    return JSON.stringify(event);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TypeError(`Event on ${channel} is not JSON-serialisable: ${reason}`, { cause: error });
  }
}
