import type { Cluster, Redis } from 'ioredis';
import { DomainFailureError, failure } from '../../core/shared/errors.js';

/** One server or a cluster: both speak the same commands. */
export type RedisClient = Redis | Cluster;

/**
 * Redis is away or too slow: a fault the transports map to UNAVAILABLE / 503, naming `redis` as the
 * dependency at fault (a gRPC trailer), so that callers do not count it against the instance (docs/adr/0044).
 */
export class RedisUnavailableError extends DomainFailureError {
  readonly dependency = 'redis';
}

export const redisUnavailable = (operation: string, detail: string, cause?: unknown): DomainFailureError => {
  const error = new RedisUnavailableError(failure('unavailable', 'redis_unavailable', `Redis unavailable: ${operation} ${detail}`));
  if (cause !== undefined) error.cause = cause;
  return error;
};

/** An error Redis itself replied (WRONGTYPE, NOGROUP, ...), as opposed to a connection problem. */
export const isReplyError = (error: unknown): error is Error => error instanceof Error && error.name === 'ReplyError';

/** One wait per connection for its next 'ready' (true) or 'end' (false), shared by every waiting call. */
const nextReadiness = new WeakMap<RedisClient, Promise<boolean>>();

const readiness = (client: RedisClient): Promise<boolean> => {
  let next = nextReadiness.get(client);
  if (!next) {
    next = new Promise<boolean>((resolve) => {
      const settle = (ready: boolean) => (): void => {
        client.off('ready', onReady);
        client.off('end', onEnd);
        nextReadiness.delete(client);
        resolve(ready);
      };
      const onReady = settle(true);
      const onEnd = settle(false);
      client.once('ready', onReady);
      client.once('end', onEnd);
    });
    nextReadiness.set(client, next);
  }
  return next;
};

/**
 * Resolves once `client` can take commands. With the offline queue disabled, this is where a call
 * waits for a reconnect, and gives up after `timeoutMs`, so nothing is queued past its deadline.
 * Waiting calls resume in the order they came.
 */
export const whenReady = async (client: RedisClient, timeoutMs: number, operation: string): Promise<void> => {
  if (client.status === 'ready') return;
  if (client.status === 'end') throw redisUnavailable(operation, 'failed: the connection is closed');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([readiness(client), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') throw redisUnavailable(operation, `failed: no connection within ${timeoutMs} ms`);
  if (!outcome) throw redisUnavailable(operation, 'failed: the connection was closed');
};

export interface CallTimeouts {
  /** Longest wait for a connection. */
  readonly readyMs: number;
  /** Longest a call takes in all, the wait for a connection included (a blocking read: its BLOCK plus a margin). */
  readonly replyMs: number;
  /** Once sent, a command still gets at least this long, however long the connection took (a blocking read: its BLOCK plus a margin). */
  readonly minReplyMs?: number;
}

/** A command sent after a long wait for the connection still gets this long. */
const MIN_REPLY_MS = 250;

/**
 * Runs `send` once `client` is ready, and gives up on the reply once the call has taken `replyMs`
 * (the wait for a connection counts: a call answers within its budget, not twice it), with one
 * timer per call (not one per command, as ioredis' `commandTimeout` would arm for each command of
 * a pipeline). Connection trouble becomes `redisUnavailable`; errors Redis replied are rethrown as
 * they are.
 */
export const callRedis = async <T>(client: RedisClient, timeouts: CallTimeouts, operation: string, send: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  if (client.status !== 'ready') await whenReady(client, timeouts.readyMs, operation);
  const replyMs = Math.max(timeouts.minReplyMs ?? MIN_REPLY_MS, timeouts.replyMs - (Date.now() - started));
  const sending = send();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(redisUnavailable(operation, `failed: no reply within ${timeouts.replyMs} ms`)), replyMs);
    sending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(asCallError(error, operation));
      },
    );
  });
};

/**
 * Replies that say where or when to ask, not what the command did: a cluster moving slots or
 * failing over (ioredis follows MOVED and ASK, but hands them back when a redirected pipeline mixes
 * commands), or a server loading or turned replica. The call may succeed later: unavailable.
 */
const TRANSIENT_REPLY = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN|LOADING|READONLY|MASTERDOWN) /;

const asCallError = (error: unknown, operation: string): unknown => {
  if (isReplyError(error) && TRANSIENT_REPLY.test(error.message)) return redisUnavailable(operation, `failed: ${error.message}`, error);
  if (isReplyError(error) || error instanceof DomainFailureError) return error;
  return redisUnavailable(operation, `failed: ${error instanceof Error ? describeFailure(error) : String(error)}`, error);
};

/** The name ioredis gives the commands in flight it rejects when the connection drops (maxRetriesPerRequest 0: redis-connections.ts). */
const DROPPED = 'MaxRetriesPerRequestError';

const describeFailure = (error: Error): string =>
  error.name === DROPPED ? 'the connection dropped before the reply (the command may or may not have run)' : error.message;
