import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisConnections } from '../../adapters/redis/redis-connections.js';
import { loginFailuresKey, RedisLoginFailureLog } from '../../adapters/redis/redis-login-failure-log.js';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { describeLoginFailureLogContract } from './login-failure-log.contract.js';

let redis: RedisFixture;

beforeAll(async () => {
  redis = await startRedisNode();
}, 30_000);
afterAll(async () => {
  await redis?.stop();
});

describeLoginFailureLogContract('RedisLoginFailureLog', async () => {
  // Two sets of connections: two auth instances on one Redis.
  const connections = [new RedisConnections(redis.config), new RedisConnections(redis.config)];
  return {
    log: new RedisLoginFailureLog(connections[0]!),
    peer: new RedisLoginFailureLog(connections[1]!),
    close: async () => {
      await Promise.all(connections.map((c) => c.close()));
    },
  };
});

describe('RedisLoginFailureLog', () => {
  it('names no email or address in Redis, and lets the set expire with its window', async () => {
    const connections = new RedisConnections(redis.config);
    const raw = new Redis(redis.config.kind === 'node' ? redis.config.url : '');
    try {
      const log = new RedisLoginFailureLog(connections);
      await log.record('account:ada@example.test', Date.now(), { max: 10, windowMs: 60_000 });
      await log.record('address:203.0.113.7', Date.now(), { max: 10, windowMs: 60_000 });
      const keys = await raw.keys('*');
      expect(keys).toContain(loginFailuresKey('account:ada@example.test'));
      // Hex digests may hold `ada` by chance: look for what only the clear text has.
      expect(keys.join(' ')).not.toMatch(/ada@|example\.test|203\.0\.113/);
      expect(loginFailuresKey('account:ada@example.test')).toMatch(/^auth:login-failures:[0-9a-f]{32}$/);
      const ttl = await raw.pttl(loginFailuresKey('address:203.0.113.7'));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
      const members = await raw.zrange(loginFailuresKey('account:ada@example.test'), 0, -1);
      expect(members.join(' ')).not.toMatch(/ada@|example\.test/);
    } finally {
      raw.disconnect();
      await connections.close();
    }
  });
});
