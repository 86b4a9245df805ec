/**
 * Layer 3, Pub/Sub: fire-and-forget events. Distinct from streams on purpose: an event published
 * while nobody listens is gone, and a subscriber that was away does not catch up.
 */

/** What travels on an event channel: JSON with a `type`, ids, and an epoch-ms `timestamp`. */
export interface DomainEvent {
  readonly type: string;
  readonly timestamp: number;
  /**
   * Set by the outbox relay (docs/adr/0038): the same id on every copy of one event, so a
   * subscriber that gets an event twice (the relay sends at least once) can drop the repeat.
   */
  readonly event_id?: string;
  readonly [field: string]: unknown;
}

/**
 * Called once per delivered event. A throwing or rejecting handler is isolated: the adapter logs it
 * and keeps delivering. A returned promise is not awaited before the next event is delivered.
 */
export type EventHandler = (event: DomainEvent, channel: string) => void | Promise<void>;

export interface Subscription {
  /** Stops delivery to this handler. Idempotent. */
  unsubscribe(): Promise<void>;
}

export interface EventPublisher {
  /**
   * Broadcasts `event` to the subscribers of `channel` at this moment, at most once each.
   * Events of one publisher on one channel arrive in publish order.
   * Rejects (never hangs) when the transport cannot accept the event within its timeout.
   */
  publish(channel: string, event: DomainEvent): Promise<void>;
}

/**
 * Told when a subscriber's delivery stops and resumes. Events published between `lost` and
 * `restored` may never be delivered (Pub/Sub does not replay), so state kept in step with events
 * (a cache evicted by them) is dropped at both.
 */
export interface DeliveryWatcher {
  /** Delivery stopped (the transport is away): events published from now on may be missed. */
  lost(): void;
  /** Delivery resumed with every subscription in place again. */
  restored(): void;
}

export interface EventSubscriber {
  /**
   * Delivers every event published on `channel` after the returned promise resolves, once per
   * subscription, in publish order. Survives transport reconnects without the caller doing anything.
   */
  subscribe(channel: string, handler: EventHandler): Promise<Subscription>;
  /** As `subscribe`, for every channel matching a glob pattern (`*`, `?`, `[abc]`, as Redis PSUBSCRIBE). */
  subscribePattern(pattern: string, handler: EventHandler): Promise<Subscription>;
  /**
   * Tells `watcher` each time delivery is lost and restored (a transport reconnect). A bus that
   * cannot lose an event (in one process) never calls it. Returns a function that stops telling.
   */
  watchDelivery(watcher: DeliveryWatcher): () => void;
}

/** Both halves, as one bus adapter provides them. */
export interface EventBus extends EventPublisher, EventSubscriber {}
