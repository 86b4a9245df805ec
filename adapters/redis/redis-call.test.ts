import { EventEmitter } from 'node:events';
import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { DomainFailureError } from '../../core/shared/errors.js';
import { callRedis, type RedisClient } from './redis-call.js';

// callRedis only reads the status of a ready connection; the replies are what is under test.
const ready = { status: 'ready' } as RedisClient;
const timeouts = { readyMs: 1_000, replyMs: 1_000 };
const replying = (message: string) => () => Promise.reject(new ReplyError(message));

describe('callRedis', () => {
  const redirections = [
    'MOVED 3579 127.0.0.1:7001',
    'ASK 3579 127.0.0.1:7001',
    'CLUSTERDOWN The cluster is down',
    'TRYAGAIN Multiple keys request during rehashing of slot',
    'LOADING Redis is loading the dataset in memory',
    "READONLY You can't write against a read only replica.",
  ];
  it.each(redirections)('reports %s, handed back by a cluster failing over, as Redis unavailable', async (message) => {
    const failure = await callRedis(ready, timeouts, 'ZRANGEBYSCORE login failures', replying(message)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DomainFailureError);
    expect(failure).toMatchObject({ failure: { kind: 'unavailable', code: 'redis_unavailable' } });
    expect((failure as Error).message).toBe(`Redis unavailable: ZRANGEBYSCORE login failures failed: ${message}`);
  });

  it('passes the replies of the command itself through (WRONGTYPE, NOGROUP)', async () => {
    await expect(callRedis(ready, timeouts, 'XREADGROUP', replying('NOGROUP No such key'))).rejects.toBeInstanceOf(ReplyError);
    await expect(callRedis(ready, timeouts, 'GET', replying('WRONGTYPE Operation against a key'))).rejects.toThrow(/^WRONGTYPE/);
  });

  it('answers within its budget in all: time spent waiting for the connection is not granted again for the reply', async () => {
    // A connection that comes back after 400 ms, then a command that never replies (a master dying after the reconnect).
    const reconnecting = Object.assign(new EventEmitter(), { status: 'connecting' }) as unknown as RedisClient;
    setTimeout(() => {
      Object.assign(reconnecting, { status: 'ready' });
      reconnecting.emit('ready');
    }, 400);
    const started = Date.now();
    const failure = await callRedis(reconnecting, timeouts, 'ZADD login failures', () => new Promise(() => {})).catch(
      (error: unknown) => error,
    );
    const elapsed = Date.now() - started;
    expect(failure).toMatchObject({ failure: { kind: 'unavailable', code: 'redis_unavailable' } });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(1_300);
  });

  it('still gives a command sent after a long wait for its connection a minimum time to reply', async () => {
    const late = Object.assign(new EventEmitter(), { status: 'connecting' }) as unknown as RedisClient;
    setTimeout(() => {
      Object.assign(late, { status: 'ready' });
      late.emit('ready');
    }, 900);
    const reply = callRedis(
      late,
      { ...timeouts, minReplyMs: 400 },
      'XREADGROUP',
      () => new Promise((resolve) => setTimeout(() => resolve('entries'), 300)),
    );
    await expect(reply).resolves.toBe('entries');
  });
});
