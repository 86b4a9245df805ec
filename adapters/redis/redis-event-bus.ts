import { Cluster, type Redis } from 'ioredis';
import type { DeliveryWatcher, DomainEvent, EventBus, EventHandler, Subscription } from '../../core/messaging/events.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { outgoingTraceparent, runReceived } from '../observability/trace-context-scope.js';
import { endProducerSpan, startProducerSpan } from '../observability/tracing/messaging-spans.js';
import { traceparentOfSpan } from '../observability/tracing/spans.js';
import { decodeEvent, defaultMaxEventBytes, encodeEvent } from './event-codec.js';
import { KeySerializer } from './key-serializer.js';
import { PublishBatcher } from './publish-batcher.js';
import { callRedis, type RedisClient } from './redis-call.js';
import type { RedisConnections } from './redis-connections.js';
import { SubscriptionRegistry, type Registration, type SubscriptionKind } from './subscription-registry.js';

export interface RedisEventBusOptions {
  /** Larger events are refused by `publish` and skipped (logged) when received. Default 256 KiB. */
  readonly maxEventBytes?: number;
  /**
   * Channels under these prefixes use sharded Pub/Sub (SPUBLISH/SSUBSCRIBE). Default none: every
   * channel of the specification (docs/specification.md#event-channels) has a pattern subscriber, which sharded messages never reach
   * (ADR 0009). A pattern that could match a sharded channel is refused.
   */
  readonly shardedChannelPrefixes?: readonly string[];
  readonly logger?: Logger;
}

/**
 * Pub/Sub over Redis. Publishes on the command connection; receives on the process's one
 * subscriber connection, with one Redis subscription per channel or pattern however many local
 * handlers it has. After a reconnect ioredis restores the subscriptions itself
 * (`autoResubscribe`); this class never resubscribes, so nothing is subscribed twice.
 */
export class RedisEventBus implements EventBus {
  private readonly subscriber: RedisClient;
  private readonly registry = new SubscriptionRegistry();
  /** Names subscribed in Redis by this bus (ioredis keeps them across reconnects). */
  private readonly subscribed = new Set<string>();
  private readonly serializer = new KeySerializer();
  private readonly maxEventBytes: number;
  private readonly shardedPrefixes: readonly string[];
  private readonly logger: Logger;
  private closed = false;
  private readonly watchers = new Set<DeliveryWatcher>();
  /** The subscriber connection closed and has not been seen resubscribed since. */
  private deliveryLost = false;

  constructor(
    private readonly connections: RedisConnections,
    options: RedisEventBusOptions = {},
  ) {
    this.maxEventBytes = options.maxEventBytes ?? defaultMaxEventBytes;
    this.shardedPrefixes = options.shardedChannelPrefixes ?? [];
    this.logger = options.logger ?? createLogger('redis-event-bus');
    this.subscriber = connections.claimSubscriber({ sharded: this.shardedPrefixes.length > 0 });
    this.subscriber.on('message', (channel: string, message: string) => this.deliver('channel', channel, channel, message));
    this.subscriber.on('smessage', (channel: string, message: string) => this.deliver('shard', channel, channel, message));
    this.subscriber.on('pmessage', (pattern: string, channel: string, message: string) =>
      this.deliver('pattern', pattern, channel, message),
    );
    // Unsubscribes that failed while Redis was away are retried once it is back.
    this.subscriber.on('ready', this.onReconnect);
    this.subscriber.on('close', this.onClose);
  }

  async publish(channel: string, event: DomainEvent): Promise<void> {
    this.assertOpen();
    // A producer span when the work records spans (docs/adr/0048); its id is the envelope's traceparent.
    const span = startProducerSpan('redis', 'publish', channel, event.event_id);
    const payload = encodeEvent(event, span ? traceparentOfSpan(span) : outgoingTraceparent());
    const bytes = Buffer.byteLength(payload);
    if (bytes > this.maxEventBytes) {
      span?.end();
      throw new Error(`event '${event.type}' on ${channel} is ${bytes} bytes; the limit is ${this.maxEventBytes}`);
    }
    const client = this.connections.command;
    await endProducerSpan(
      span,
      callRedis(client, this.connections.timeouts, `publish on ${channel}`, () =>
        this.isSharded(channel)
          ? client.spublish(channel, payload)
          : client instanceof Cluster
            ? publishInOrder(client, channel, payload)
            : this.batcherOf(client).publish(channel, payload),
      ),
    );
  }

  private batcher: PublishBatcher | undefined;

  private batcherOf(client: Redis): PublishBatcher {
    if (this.batcher?.client !== client) this.batcher = new PublishBatcher(client);
    return this.batcher;
  }

  subscribe(channel: string, handler: EventHandler): Promise<Subscription> {
    return this.add(this.isSharded(channel) ? 'shard' : 'channel', channel, handler);
  }

  subscribePattern(pattern: string, handler: EventHandler): Promise<Subscription> {
    const literal = pattern.split(/[*?[\\]/, 1)[0] ?? '';
    const clash = this.shardedPrefixes.find((prefix) => literal.startsWith(prefix) || prefix.startsWith(literal));
    if (clash !== undefined) {
      return Promise.reject(new Error(`pattern '${pattern}' could match sharded channels under '${clash}', which patterns never receive`));
    }
    return this.add('pattern', pattern, handler);
  }

  /** Stops every delivery of this bus. The connections are closed by their owner. */
  async close(): Promise<void> {
    this.closed = true;
    this.registry.clear();
    this.subscriber.removeAllListeners('message');
    this.subscriber.removeAllListeners('smessage');
    this.subscriber.removeAllListeners('pmessage');
    this.subscriber.off('ready', this.onReconnect);
    this.subscriber.off('close', this.onClose);
    this.watchers.clear();
  }

  /**
   * `lost` when the subscriber connection closes; `restored` once it is ready again and a PING sent
   * after ioredis's resubscriptions is answered (commands on one connection run in order), so every
   * subscription is back in Redis by then. In a cluster, at its `ready`.
   */
  watchDelivery(watcher: DeliveryWatcher): () => void {
    this.watchers.add(watcher);
    return () => void this.watchers.delete(watcher);
  }

  private async add(kind: SubscriptionKind, name: string, handler: EventHandler): Promise<Subscription> {
    this.assertOpen();
    const registration = this.registry.add(kind, name, handler);
    try {
      await this.serializer.run(keyOf(kind, name), () => this.ensureSubscribed(kind, name));
    } catch (error) {
      this.registry.remove(registration);
      throw error;
    }
    let active = true;
    return {
      unsubscribe: async () => {
        if (!active) return;
        active = false;
        await this.remove(registration);
      },
    };
  }

  private async remove(registration: Registration): Promise<void> {
    if (!this.registry.remove(registration)) return;
    const { kind, name } = registration;
    await this.serializer
      .run(keyOf(kind, name), () => this.ensureUnsubscribed(kind, name))
      .catch((error: unknown) => {
        // Delivery to the handler has stopped already; Redis is told when it is back.
        this.logger.debug({ kind, channel: name, err: String(error) }, 'unsubscribe deferred until Redis is back');
      });
  }

  private async ensureSubscribed(kind: SubscriptionKind, name: string): Promise<void> {
    const key = keyOf(kind, name);
    if (this.subscribed.has(key) || !this.registry.has(kind, name)) return;
    const client = this.subscriber;
    await callRedis(client, this.connections.timeouts, `${commands[kind].subscribe} ${name}`, () =>
      kind === 'channel' ? client.subscribe(name) : kind === 'pattern' ? client.psubscribe(name) : client.ssubscribe(name),
    );
    this.subscribed.add(key);
  }

  private async ensureUnsubscribed(kind: SubscriptionKind, name: string): Promise<void> {
    const key = keyOf(kind, name);
    if (!this.subscribed.has(key) || this.registry.has(kind, name)) return;
    const client = this.subscriber;
    await callRedis(client, this.connections.timeouts, `${commands[kind].unsubscribe} ${name}`, () =>
      kind === 'channel' ? client.unsubscribe(name) : kind === 'pattern' ? client.punsubscribe(name) : client.sunsubscribe(name),
    );
    this.subscribed.delete(key);
  }

  private readonly onReconnect = (): void => {
    this.dropUnusedSubscriptions();
    if (!this.deliveryLost) return;
    const client = this.subscriber;
    const resubscribed = client instanceof Cluster ? Promise.resolve() : client.ping().then(() => undefined);
    resubscribed.then(
      () => {
        // Closed again meanwhile: the next ready tries again.
        if (!this.deliveryLost || client.status !== 'ready') return;
        this.deliveryLost = false;
        this.tell('restored');
      },
      () => undefined,
    );
  };

  private readonly onClose = (): void => {
    if (this.deliveryLost || this.closed) return;
    this.deliveryLost = true;
    this.tell('lost');
  };

  private tell(what: keyof DeliveryWatcher): void {
    for (const watcher of [...this.watchers]) {
      try {
        watcher[what]();
      } catch (error) {
        this.logger.error({ err: error }, `delivery watcher failed on ${what}`);
      }
    }
  }

  private dropUnusedSubscriptions(): void {
    for (const key of this.subscribed) {
      const [kind, name] = key.split('\u0000') as [SubscriptionKind, string];
      if (!this.registry.has(kind, name)) void this.serializer.run(key, () => this.ensureUnsubscribed(kind, name)).catch(() => undefined);
    }
  }

  private deliver(kind: SubscriptionKind, name: string, channel: string, message: string): void {
    const handlers = this.registry.handlers(kind, name);
    if (handlers.length === 0) return;
    const decoded = decodeEvent(message, this.maxEventBytes);
    if (!decoded.ok) {
      this.logger.warn({ channel, reason: decoded.error, preview: message.slice(0, 120) }, 'skipped a message that is not an event');
      return;
    }
    const { event, parent } = decoded.value;
    // Each handler gets its own copy, made before any handler runs, as if each had its own wire.
    const copies = handlers.map((_, index) => (index === 0 ? event : structuredClone(event)));
    // Handlers run in the publisher's trace (docs/adr/0019), so their log lines and calls carry it.
    runReceived(parent, () => {
      if (this.logger.isLevelEnabled('debug'))
        this.logger.debug({ channel, type: event.type, handlers: handlers.length }, 'event delivered');
      handlers.forEach((handler, index) => this.invoke(handler, copies[index]!, channel));
    });
  }

  private invoke(handler: EventHandler, event: DomainEvent, channel: string): void {
    const report = (error: unknown): void => {
      this.logger.error({ channel, type: event.type, err: error }, 'event handler failed');
    };
    try {
      const result = handler(event, channel);
      if (result instanceof Promise) result.catch(report);
    } catch (error) {
      report(error);
    }
  }

  private isSharded(channel: string): boolean {
    return this.shardedPrefixes.some((prefix) => channel.startsWith(prefix));
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the Redis event bus is closed');
  }
}

const commands = {
  channel: { subscribe: 'SUBSCRIBE', unsubscribe: 'UNSUBSCRIBE' },
  pattern: { subscribe: 'PSUBSCRIBE', unsubscribe: 'PUNSUBSCRIBE' },
  shard: { subscribe: 'SSUBSCRIBE', unsubscribe: 'SUNSUBSCRIBE' },
} as const;

const keyOf = (kind: SubscriptionKind, name: string): string => `${kind}\u0000${name}`;

/**
 * In a cluster, ioredis sends PUBLISH (which has no key) to a random node, and messages relayed
 * by different nodes can overtake each other. One node per channel keeps a publisher's order.
 */
const publishInOrder = (client: Cluster, channel: string, payload: string): Promise<number> => {
  const masters = client.nodes('master');
  if (masters.length === 0) return client.publish(channel, payload);
  const ordered = [...masters].sort((a, b) => nodeKey(a).localeCompare(nodeKey(b)));
  return ordered[hash(channel) % ordered.length]!.publish(channel, payload);
};

const nodeKey = (node: { options: { host?: string; port?: number } }): string => `${node.options.host}:${node.options.port}`;

const hash = (text: string): number => {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
};
