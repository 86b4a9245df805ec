import { createLogger } from '../../adapters/observability/logger.js';
import type { RedisConfig } from '../../adapters/redis/redis-config.js';
import { RedisConnections } from '../../adapters/redis/redis-connections.js';
import { whenReady } from '../../adapters/redis/redis-call.js';
import { OperatorError } from './mesh-status-report.js';

export interface TailedEvent {
  /** Epoch ms when this process received it. */
  readonly time: number;
  readonly channel: string;
  /** The payload, parsed when it is JSON. */
  readonly payload: unknown;
}

export interface EventTail {
  /** Unsubscribes and closes the connection. Idempotent. */
  stop(): Promise<void>;
}

/** A glob-style pattern (`project:events:*`) is subscribed with PSUBSCRIBE; anything else is one channel. */
export const isPattern = (channel: string): boolean => /[*?[]/.test(channel);

const parsed = (message: string): unknown => {
  try {
    return JSON.parse(message);
  } catch {
    return message;
  }
};

/**
 * Subscribes to `channel` (or the pattern) on Redis and hands every message to `onEvent` until
 * stopped. Plain Pub/Sub only: channels the mesh publishes sharded (SPUBLISH) never reach it.
 */
export const tailEvents = async (
  redis: RedisConfig,
  channel: string,
  onEvent: (event: TailedEvent) => void,
  options: { readonly readyMs?: number; readonly onConnectionLost?: (detail: string) => void } = {},
): Promise<EventTail> => {
  const connections = new RedisConnections(redis, { name: 'mesh-tail', logger: createLogger('mesh-tail', 'silent') });
  const subscriber = connections.claimSubscriber();
  let lost = false;
  subscriber.on('error', (error: Error) => {
    if (!lost) options.onConnectionLost?.(error.message);
    lost = true;
  });
  subscriber.on('ready', () => (lost = false));
  try {
    await whenReady(subscriber, options.readyMs ?? 3_000, 'mesh tail');
    if (isPattern(channel)) {
      subscriber.on('pmessage', (_pattern: string, from: string, message: string) =>
        onEvent({ time: Date.now(), channel: from, payload: parsed(message) }),
      );
      await subscriber.psubscribe(channel);
    } else {
      subscriber.on('message', (from: string, message: string) => onEvent({ time: Date.now(), channel: from, payload: parsed(message) }));
      await subscriber.subscribe(channel);
    }
  } catch (error) {
    await connections.close().catch(() => undefined);
    throw new OperatorError(`cannot subscribe on Redis (${error instanceof Error ? error.message : String(error)})`);
  }
  let stopping: Promise<void> | undefined;
  return { stop: () => (stopping ??= connections.close()) };
};

const clock = (time: number): string => new Date(time).toISOString().slice(11, 23);

/** One received event as a line: time, channel, payload. */
export const renderTailedEvent = (event: TailedEvent): string =>
  `${clock(event.time)}  ${event.channel}  ${typeof event.payload === 'string' ? event.payload : JSON.stringify(event.payload)}`;
