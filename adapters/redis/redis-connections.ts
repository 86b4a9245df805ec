import { readFileSync } from 'node:fs';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { createLogger, type Logger } from '../observability/logger.js';
import type { CallTimeouts, RedisClient } from './redis-call.js';
import type { RedisConfig } from './redis-config.js';

export interface RedisConnectionOptions {
  /** Shown by CLIENT LIST (`<name>:command`, `<name>:subscriber`, `<name>:blocking`). */
  readonly name?: string;
  /** Longest wait on one call: for a connection, then again for the reply. Default 2000 ms. */
  readonly commandTimeoutMs?: number;
  /** Blocking connections kept open between blocking reads. Default 4. */
  readonly maxIdleBlocking?: number;
  readonly logger?: Logger;
}

type Role = 'command' | 'subscriber' | 'sharded-subscriber' | 'blocking';

const reconnectDelay = (attempt: number): number => Math.min(attempt * 100, 1_000);

/**
 * The connections of one process: one command connection, one dedicated subscriber connection
 * (ioredis requires it in subscriber mode), and blocking reads on connections of their own, leased
 * one per read so that a BLOCK never holds up commands or another reader. See ADR 0008.
 *
 * The offline queue is off: a call made while Redis is away waits for the reconnect in
 * `whenReady` up to its timeout, and is never sent late after it has already failed.
 */
/** However long a blocking read waited for its connection, its reply may take its BLOCK plus this. */
const MIN_BLOCKING_MARGIN_MS = 500;

export class RedisConnections {
  readonly command: RedisClient;
  /** For a call: `commandTimeoutMs` in all, the wait for a connection included. */
  readonly timeouts: CallTimeouts;
  private subscriberClient: RedisClient | undefined;
  private subscriberClaimed = false;
  private readonly idleBlocking: RedisClient[] = [];
  private readonly leasedBlocking = new Set<RedisClient>();
  private readonly name: string;
  private readonly maxIdleBlocking: number;
  private readonly logger: Logger;
  private readonly security: RedisOptions;
  private closed = false;

  constructor(
    readonly config: RedisConfig,
    options: RedisConnectionOptions = {},
  ) {
    this.name = options.name ?? 'meshwork';
    const commandTimeoutMs = options.commandTimeoutMs ?? 2_000;
    this.timeouts = { readyMs: commandTimeoutMs, replyMs: commandTimeoutMs };
    this.maxIdleBlocking = options.maxIdleBlocking ?? 4;
    this.logger = options.logger ?? createLogger('redis');
    this.security = securityOptions(config);
    this.command = this.open('command');
  }

  /**
   * The subscriber connection, for the one event bus of the process; a second claim throws.
   * `sharded`: in a cluster, also keep one connection per shard for SSUBSCRIBE.
   */
  claimSubscriber({ sharded = false }: { readonly sharded?: boolean } = {}): RedisClient {
    if (this.subscriberClaimed) throw new Error('the Redis subscriber connection is already used by another event bus');
    this.subscriberClaimed = true;
    this.subscriberClient = this.open(sharded ? 'sharded-subscriber' : 'subscriber');
    return this.subscriberClient;
  }

  /** Timeouts of a read that may block `blockMs`: the reply may take that long on top. */
  blockingTimeouts(blockMs: number): CallTimeouts {
    return { readyMs: this.timeouts.readyMs, replyMs: blockMs + this.timeouts.replyMs, minReplyMs: blockMs + MIN_BLOCKING_MARGIN_MS };
  }

  /**
   * Runs `use` on a blocking connection of its own, returned to the pool afterwards; dropped
   * instead if the call failed, since a reply may still be on its way on it.
   */
  async withBlockingConnection<T>(use: (client: RedisClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('Redis connections are closed');
    const client = this.idleBlocking.pop() ?? this.open('blocking');
    this.leasedBlocking.add(client);
    let healthy = false;
    try {
      const result = await use(client);
      healthy = true;
      return result;
    } finally {
      this.leasedBlocking.delete(client);
      if (!healthy || this.closed || this.idleBlocking.length >= this.maxIdleBlocking) client.disconnect();
      else this.idleBlocking.push(client);
    }
  }

  /** Quits the command and subscriber connections (pending replies first), drops blocking ones. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const client of [...this.idleBlocking, ...this.leasedBlocking]) client.disconnect();
    this.idleBlocking.length = 0;
    await Promise.all([this.command, this.subscriberClient].map((client) => client && quit(client)));
  }

  private open(role: Role): RedisClient {
    const connectionName = `${this.name}:${role === 'sharded-subscriber' ? 'subscriber' : role}`;
    // Reply deadlines are per call (callRedis), not per command; a call that failed is not resent.
    // maxRetriesPerRequest 0: when the connection drops, ioredis rejects the commands written and
    // unanswered at once. Otherwise, with resending off, it forgets them at the reconnect without
    // settling them, and an auto-pipeline among them blocks every later command (docs/adr/0034).
    const shared: RedisOptions = { connectionName, autoResendUnfulfilledCommands: false, maxRetriesPerRequest: 0, ...this.security };
    // Commands issued in the same tick (a read and the previous batch's ack) share one write.
    const enableAutoPipelining = role === 'command';
    // PUBLISH is left out on one server: the event bus batches its publishes itself, without waiting for setImmediate (publish-batcher.ts).
    const client =
      this.config.kind === 'node'
        ? new Redis(this.config.url, {
            ...shared,
            enableAutoPipelining,
            autoPipeliningIgnoredCommands: ['publish'],
            enableOfflineQueue: false,
            retryStrategy: reconnectDelay,
          })
        : new Cluster([...this.config.nodes], { ...clusterOptions(shared, role), enableAutoPipelining });
    this.watch(client, connectionName);
    return client;
  }

  /** Logs an outage once, and the recovery, instead of every failed reconnect attempt. */
  private watch(client: RedisClient, connectionName: string): void {
    let healthy = true;
    client.on('error', (error: Error) => {
      if (!healthy || this.closed) return;
      healthy = false;
      if (REFUSED_CREDENTIALS.test(error.message)) {
        this.logger.error(
          { connection: connectionName, err: error.message },
          'Redis refused our credentials (REDIS_USERNAME/REDIS_PASSWORD or the user in REDIS_URL); retrying',
        );
      } else {
        this.logger.warn({ connection: connectionName, err: error.message }, 'Redis connection lost; reconnecting');
      }
    });
    client.on('ready', () => {
      if (healthy) return;
      healthy = true;
      this.logger.info({ connection: connectionName }, 'Redis connection restored');
    });
  }
}

const REFUSED_CREDENTIALS = /^(WRONGPASS|NOAUTH|NOPERM)/;

/**
 * ACL credentials and TLS of every connection (a cluster: of every node's). The CA file is read
 * once here; with one, it is the only CA trusted (Node's `ca` replaces the system list).
 */
const securityOptions = (config: RedisConfig): RedisOptions => ({
  ...(config.username !== undefined && { username: config.username }),
  ...(config.password !== undefined && { password: config.password }),
  ...(config.tls && { tls: config.tls.caFile === undefined ? {} : { ca: readFileSync(config.tls.caFile) } }),
});

/**
 * Auto-pipelining in a cluster groups commands by the slot of their first argument; these do not
 * start with their key, so grouping them would send them to the wrong shard.
 */
const keyNotFirst = ['XREAD', 'XREADGROUP', 'XGROUP', 'XINFO', 'EVAL', 'EVALSHA'].flatMap((c) => [c, c.toLowerCase()]);

const clusterOptions = (redisOptions: RedisOptions, role: Role): ClusterOptions => ({
  enableOfflineQueue: false,
  autoPipeliningIgnoredCommands: keyNotFirst,
  clusterRetryStrategy: reconnectDelay,
  // Sharded subscriptions need one subscriber per shard; without it SSUBSCRIBE loops on MOVED.
  shardedSubscribers: role === 'sharded-subscriber',
  redisOptions,
});

/** QUIT lets pending replies arrive first; a connection that is down is just dropped. */
const quit = async (client: RedisClient): Promise<void> => {
  if (client.status === 'end') return;
  if (client.status === 'ready') {
    await Promise.race([client.quit().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000))]);
  }
  client.disconnect();
};
