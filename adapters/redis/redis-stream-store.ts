import type {
  AppendOptions,
  ClaimedEntry,
  PendingEntry,
  ReadOptions,
  StreamEntry,
  StreamFields,
  StreamStore,
} from '../../core/messaging/streams.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { callRedis, isReplyError, type RedisClient } from './redis-call.js';
import type { RedisConnections } from './redis-connections.js';
import { parseClaimed, parsePending, parseSingleStreamRead, parseEntries, type ParsedEntries } from './stream-replies.js';
import { specificationRetention, type RetentionPolicy } from '../../core/messaging/stream-retention.js';
import { claimIdleScript, keepClaimScript, runScript } from './stream-scripts.js';

export interface RedisStreamStoreOptions {
  /** MAXLEN ~ of streams appended to without `maxLen`. Default: the specification's families (docs/specification.md#streams). */
  readonly retention?: RetentionPolicy;
  /** Entries `pending` returns when not told. Default 1000. */
  readonly pendingCount?: number;
  readonly logger?: Logger;
}

type Args = (string | number)[];

/**
 * Redis Streams. Commands go on the command connection; reads with `blockMs` go on a leased
 * blocking connection, so a BLOCK never holds up other calls. Works on one server and on a
 * cluster alike: every command touches one stream key.
 */
export class RedisStreamStore implements StreamStore {
  private readonly retention: RetentionPolicy;
  private readonly pendingCount: number;
  private readonly logger: Logger;

  constructor(
    private readonly connections: RedisConnections,
    options: RedisStreamStoreOptions = {},
  ) {
    this.retention = options.retention ?? specificationRetention;
    this.pendingCount = options.pendingCount ?? 1_000;
    this.logger = options.logger ?? createLogger('redis-stream-store');
  }

  async append(stream: string, fields: StreamFields, options?: AppendOptions): Promise<string> {
    const args = this.xaddArgs(stream, fields, options);
    return (await this.command(`XADD ${stream}`, (client) => client.call('XADD', ...args))) as string;
  }

  async appendBatch(stream: string, entries: readonly StreamFields[], options?: AppendOptions): Promise<string[]> {
    if (entries.length === 0) return [];
    const argsList = entries.map((fields) => this.xaddArgs(stream, fields, options));
    return this.command(`XADD ${stream} (batch of ${entries.length})`, async (client) => {
      const pipeline = client.pipeline();
      for (const args of argsList) pipeline.call('XADD', ...args);
      const results = (await pipeline.exec()) ?? [];
      return results.map(([error, id]) => {
        if (error) throw error;
        return id as string;
      });
    });
  }

  async read(stream: string, afterId: string, options: ReadOptions): Promise<StreamEntry[]> {
    const args: Args = ['COUNT', options.count, ...blockArgs(options), 'STREAMS', stream, afterId];
    const raw = await this.maybeBlocking(`XREAD ${stream}`, options, (client) => client.call('XREAD', ...args));
    return this.reportMalformed(stream, parseSingleStreamRead(raw));
  }

  async range(stream: string, fromId: string, toId: string, count?: number): Promise<StreamEntry[]> {
    const args: Args = [stream, fromId, toId, ...(count === undefined ? [] : ['COUNT', count])];
    const raw = await this.command(`XRANGE ${stream}`, (client) => client.call('XRANGE', ...args));
    return this.reportMalformed(stream, parseEntries(raw));
  }

  async length(stream: string): Promise<number> {
    return Number(await this.command(`XLEN ${stream}`, (client) => client.call('XLEN', stream)));
  }

  async ensureGroup(stream: string, group: string, startId = '$'): Promise<void> {
    await this.command(`XGROUP CREATE ${stream} ${group}`, (client) =>
      client.call('XGROUP', 'CREATE', stream, group, startId, 'MKSTREAM').catch((error: unknown) => {
        if (isReplyError(error) && error.message.startsWith('BUSYGROUP')) return 'OK';
        throw error;
      }),
    );
  }

  async readGroup(stream: string, group: string, consumer: string, options: ReadOptions): Promise<StreamEntry[]> {
    const args: Args = ['GROUP', group, consumer, 'COUNT', options.count, ...blockArgs(options), 'STREAMS', stream, '>'];
    const raw = await this.maybeBlocking(`XREADGROUP ${stream} ${group}`, options, (client) => client.call('XREADGROUP', ...args));
    const parsed = parseSingleStreamRead(raw);
    // An unreadable entry would come back on every claim: acknowledge it once it is logged.
    const unreadable = parsed.malformed.flatMap((m) => (m.id === undefined ? [] : [m.id]));
    if (unreadable.length > 0) await this.ack(stream, group, unreadable);
    return this.reportMalformed(stream, parsed);
  }

  async ack(stream: string, group: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return Number(await this.command(`XACK ${stream} ${group}`, (client) => client.call('XACK', stream, group, ...ids)));
  }

  async pending(stream: string, group: string, count = this.pendingCount): Promise<PendingEntry[]> {
    const raw = await this.command(`XPENDING ${stream} ${group}`, (client) => client.call('XPENDING', stream, group, '-', '+', count));
    return parsePending(raw);
  }

  async claimIdle(stream: string, group: string, consumer: string, minIdleMs: number, count: number): Promise<ClaimedEntry[]> {
    const raw = await this.command(`XAUTOCLAIM ${stream} ${group}`, (client) =>
      runScript(client, claimIdleScript, stream, [group, consumer, Math.max(0, Math.floor(minIdleMs)), count]),
    );
    return this.reportMalformed(stream, parseClaimed(raw));
  }

  async keepClaim(stream: string, group: string, consumer: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.command(`XCLAIM ${stream} ${group} JUSTID`, (client) =>
      runScript(client, keepClaimScript, stream, [group, consumer, ...ids]),
    );
  }

  async remove(stream: string): Promise<void> {
    await this.command(`DEL ${stream}`, (client) => client.call('DEL', stream));
  }

  private xaddArgs(stream: string, fields: StreamFields, options: AppendOptions | undefined): Args {
    const maxLen = options?.maxLen ?? this.retention(stream);
    const args: Args = maxLen === undefined ? [stream, '*'] : [stream, 'MAXLEN', '~', maxLen, '*'];
    const before = args.length;
    for (const name in fields) args.push(name, fields[name]!);
    if (args.length === before) throw new Error(`an entry of ${stream} needs at least one field`);
    return args;
  }

  private command<T>(operation: string, send: (client: RedisClient) => Promise<T>): Promise<T> {
    const client = this.connections.command;
    return callRedis(client, this.connections.timeouts, operation, () => send(client));
  }

  private maybeBlocking<T>(operation: string, options: ReadOptions, send: (client: RedisClient) => Promise<T>): Promise<T> {
    if (!options.blockMs) return this.command(operation, send);
    const timeouts = this.connections.blockingTimeouts(options.blockMs);
    return this.connections.withBlockingConnection((client) => callRedis(client, timeouts, operation, () => send(client)));
  }

  private reportMalformed<T extends StreamEntry>(stream: string, parsed: ParsedEntries<T>): T[] {
    for (const { id, reason } of parsed.malformed) this.logger.warn({ stream, id, reason }, 'skipped a malformed stream entry');
    return parsed.entries;
  }
}

const blockArgs = (options: ReadOptions): Args => (options.blockMs ? ['BLOCK', Math.max(1, Math.floor(options.blockMs))] : []);
