import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryLoginFailureLog } from '../memory/in-memory-login-failure-log.js';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { OutageTolerantLoginFailureLog } from './outage-tolerant-login-failure-log.js';
import { RedisConnections } from './redis-connections.js';
import { RedisLoginFailureLog } from './redis-login-failure-log.js';

const window = { max: 3, windowMs: 60_000 };

describe('OutageTolerantLoginFailureLog', () => {
  let redis: RedisFixture;
  let connections: RedisConnections;
  let log: OutageTolerantLoginFailureLog;

  beforeAll(async () => {
    redis = await startRedisNode();
    connections = new RedisConnections(redis.config, { commandTimeoutMs: 300 });
    log = new OutageTolerantLoginFailureLog(
      new RedisLoginFailureLog(connections),
      new InMemoryLoginFailureLog(),
      () => connections.command.status === 'ready',
    );
    await new RedisLoginFailureLog(connections).clear('connects'); // the connection is made on first use
  }, 30_000);
  afterAll(async () => {
    await connections?.close();
    await redis?.stop();
  });

  it('counts on the shared Redis log while Redis answers', async () => {
    const other = new RedisLoginFailureLog(connections);
    const now = Date.now();
    const reservation = await log.reserve('shared@example.com', now, window);
    expect(reservation.granted).toBe(true);
    expect(await other.recent('shared@example.com', now, window)).toEqual([now]);
  });

  it('keeps answering from its own count, at once, while Redis is down, and still refuses past the limit', async () => {
    await redis.stop();
    const key = 'outage@example.com';
    const started = Date.now();
    const answers = [];
    for (let i = 0; i < window.max + 1; i += 1) answers.push(await log.reserve(key, Date.now(), window));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(answers.map((a) => a.granted)).toEqual([true, true, true, false]);

    const first = answers[0]!;
    if (!first.granted) throw new Error('the first reservation was refused');
    await log.release(key, first.id);
    expect((await log.reserve(key, Date.now(), window)).granted).toBe(true);
  });
});
