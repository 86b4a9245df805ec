import { Cluster, Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import { callRedis, isReplyError, whenReady, type CallTimeouts, type RedisClient } from './redis-call.js';
import type { RedisConnections } from './redis-connections.js';
import { decodeChange, parseRegistryKey, RegistryChangesChannel, type DecodedChange } from './redis-service-registry-keys.js';

/** What the registry's watches react to. `resync`: notifications may have been missed; re-read. */
export type RegistrySignal =
  | DecodedChange
  | { readonly kind: 'expired'; readonly service: string; readonly instanceId: string }
  | { readonly kind: 'resync' };

export interface RegistryNotificationOptions {
  /** Turn on keyspace notifications of expired keys (CONFIG SET) on every master. */
  readonly keyspaceNotifications: boolean;
  /** Re-read interval while expiry events arrive. */
  readonly reconcileEveryMs: number;
  /** Re-read interval without them (CONFIG refused or switched off). */
  readonly fallbackScanEveryMs: number;
  readonly logger: Logger;
}

/** How expiries are noticed: pushed by Redis, or found by re-reading every `fallbackScanEveryMs`. */
export type ExpiryDetection = 'keyspace-events' | 'scan';

/**
 * The push side of the Redis registry: the `services:changes` channel (on the connections'
 * subscriber) and `expired` keyspace events, which each node emits for its own keys only, so
 * in a cluster every master gets a subscriber of its own. Missed messages (a reconnect) and
 * refused CONFIG are covered by periodic `resync` signals (SCAN, never KEYS).
 */
export class RedisRegistryNotifications {
  private readonly expirySubscribers = new Map<string, Redis>();
  private changesSubscriber: RedisClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private detection: ExpiryDetection = 'scan';
  private refused = new Set<string>();
  /** Each node's last answer on keyspace events: a node that cannot be asked now (failing over) keeps it. */
  private readonly verdicts = new Map<string, boolean>();
  private stopped = false;

  constructor(
    private readonly connections: RedisConnections,
    private readonly options: RegistryNotificationOptions,
    private readonly onSignal: (signal: RegistrySignal) => void,
  ) {}

  get expiryDetection(): ExpiryDetection {
    return this.detection;
  }

  /** Subscribes and turns expiry events on. May be called again after it failed (Redis away). */
  async start(): Promise<void> {
    let subscriber = this.changesSubscriber;
    if (!subscriber) {
      subscriber = this.connections.claimSubscriber();
      this.changesSubscriber = subscriber;
      subscriber.on('message', this.onMessage);
    }
    const client = subscriber;
    const channels = [RegistryChangesChannel];
    // One server: its expiry events come on the same subscriber connection.
    if (client instanceof Redis) channels.push(expiredChannel(client.options.db ?? 0));
    await callRedis(client, this.connections.timeouts, 'subscribe to registry changes', () => client.subscribe(...channels));
    // After a reconnect ioredis resubscribes by itself; what was published meanwhile is re-read.
    client.off('ready', this.afterReconnect);
    client.on('ready', this.afterReconnect);
    await this.syncExpiryEvents();
    if (!this.timer) this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const subscriber = this.changesSubscriber;
    if (subscriber) {
      subscriber.off('message', this.onMessage);
      subscriber.off('ready', this.afterReconnect);
      await subscriber.unsubscribe().catch(() => undefined);
    }
    for (const client of this.expirySubscribers.values()) client.disconnect();
    this.expirySubscribers.clear();
  }

  private schedule(): void {
    if (this.stopped) return;
    const every = this.detection === 'keyspace-events' ? this.options.reconcileEveryMs : this.options.fallbackScanEveryMs;
    this.timer = setTimeout(() => void this.tick(), every);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    // A restarted server has forgotten CONFIG SET, and a cluster may have new masters.
    await this.syncExpiryEvents().catch((error: unknown) =>
      this.options.logger.debug({ err: String(error) }, 'keyspace events not checked'),
    );
    if (this.stopped) return;
    this.onSignal({ kind: 'resync' });
    this.schedule();
  }

  /** A reconnect may mean a restarted server (CONFIG SET forgotten) and missed messages. */
  private readonly afterReconnect = (): void => {
    if (this.stopped) return;
    void this.syncExpiryEvents()
      .catch(() => undefined)
      .finally(() => this.stopped || this.onSignal({ kind: 'resync' }));
  };

  private readonly onMessage = (channel: string, message: string): void => {
    if (this.stopped) return;
    if (channel === RegistryChangesChannel) {
      const change = decodeChange(message);
      if (change.ok) this.onSignal(change.value);
      else this.options.logger.warn({ reason: change.error }, 'skipped a malformed registry change');
      return;
    }
    if (channel.startsWith('__keyevent@')) this.onExpired(message);
  };

  private onExpired(key: string): void {
    const id = parseRegistryKey(key);
    if (id && !this.stopped) this.onSignal({ kind: 'expired', ...id });
  }

  /** Turns on expiry events on every master and, in a cluster, subscribes to each; decides the detection mode. */
  private async syncExpiryEvents(): Promise<void> {
    if (!this.options.keyspaceNotifications) {
      this.detection = 'scan';
      return;
    }
    const command = this.connections.command;
    if (command.status !== 'ready') await whenReady(command, this.connections.timeouts.readyMs, 'find the masters');
    const masters = command instanceof Cluster ? command.nodes('master') : [command];
    const enabled = await Promise.all(masters.map((node) => this.enableExpiryEvents(node)));
    if (command instanceof Cluster) this.syncClusterSubscribers(masters);
    const detection: ExpiryDetection = enabled.every(Boolean) ? 'keyspace-events' : 'scan';
    if (detection !== this.detection) this.options.logger.info({ detection }, 'registry expiry detection');
    this.detection = detection;
  }

  private async enableExpiryEvents(node: RedisClient): Promise<boolean> {
    const name = node instanceof Redis ? nodeKey(node) : 'cluster';
    try {
      const reply = (await callNode(node, this.connections.timeouts, 'CONFIG GET notify-keyspace-events', () =>
        node.call('CONFIG', 'GET', 'notify-keyspace-events'),
      )) as string[];
      const flags = reply[1] ?? '';
      if (!hasExpiredEvents(flags)) {
        await callNode(node, this.connections.timeouts, 'CONFIG SET notify-keyspace-events', () =>
          node.call('CONFIG', 'SET', 'notify-keyspace-events', withExpiredEvents(flags)),
        );
      }
      this.verdicts.set(name, true);
      return true;
    } catch (error) {
      // Only Redis refusing CONFIG means no events; a lost connection (a failover) says nothing new.
      if (!isReplyError(error)) return this.verdicts.get(name) ?? false;
      this.verdicts.set(name, false);
      if (!this.refused.has(name)) {
        this.refused.add(name);
        this.options.logger.warn(
          { node: name, err: error instanceof Error ? error.message : String(error), scanEveryMs: this.options.fallbackScanEveryMs },
          'keyspace notifications unavailable: expired instances are found by SCAN',
        );
      }
      return false;
    }
  }

  /** One subscriber per master for its `expired` events; subscribers of masters that left are dropped. */
  private syncClusterSubscribers(masters: readonly Redis[]): void {
    const wanted = new Map(masters.map((node) => [nodeKey(node), node] as const));
    for (const [key, client] of this.expirySubscribers) {
      if (wanted.has(key)) continue;
      client.disconnect();
      this.expirySubscribers.delete(key);
    }
    for (const [key, node] of wanted) {
      if (this.expirySubscribers.has(key) || this.stopped) continue;
      const { host, port, username, password, tls } = node.options;
      const client = new Redis({
        host,
        port,
        // The cluster's ACL user and TLS, as every other connection.
        username,
        password,
        tls,
        connectionName: 'registry:expiry-events',
        retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
        // ioredis' own resubscribe leaves its promise unhandled: a connection closed before the reply
        // (a node dropped as it came back a replica) crashed the process. We resubscribe ourselves.
        autoResubscribe: false,
      });
      client.on('error', () => undefined); // reconnects by itself; the periodic resync covers the gap
      client.on('message', (_channel: string, message: string) => this.onExpired(message));
      const subscribe = (): void => void client.subscribe(expiredChannel(0)).catch(() => undefined);
      let connectedBefore = false;
      client.on('ready', () => {
        if (connectedBefore) {
          subscribe();
          this.afterReconnect();
        }
        connectedBefore = true;
      });
      subscribe();
      this.expirySubscribers.set(key, client);
    }
  }
}

/**
 * `callRedis` on one node of a cluster: ioredis opens those connections lazily, on their first
 * command, so one that has not connected yet is told to.
 */
export const callNode = async <T>(node: RedisClient, timeouts: CallTimeouts, operation: string, send: () => Promise<T>): Promise<T> => {
  if (node.status === 'wait') await node.connect().catch(() => undefined);
  return callRedis(node, timeouts, operation, send);
};

const expiredChannel = (db: number): string => `__keyevent@${db}__:expired`;

const nodeKey = (node: Redis): string => `${node.options.host}:${node.options.port}`;

/** `E` (keyevent channel) with `x` (expired) or `A` (all, which includes it). */
export const hasExpiredEvents = (flags: string): boolean => flags.includes('E') && (flags.includes('x') || flags.includes('A'));

/** `flags` with expired keyevents added, keeping whatever else is on. */
export const withExpiredEvents = (flags: string): string => {
  let result = flags;
  if (!result.includes('E')) result += 'E';
  if (!result.includes('x') && !result.includes('A')) result += 'x';
  return result;
};
