import { createHash, randomUUID } from 'node:crypto';
import type { FailureWindow, LoginFailureLog } from '../../core/auth/ports.js';
import { callRedis, type RedisClient } from './redis-call.js';
import type { RedisConnections } from './redis-connections.js';

/** The sorted set of a key's failures. Hashed: no email or client address appears in Redis. */
export const loginFailuresKey = (key: string): string =>
  `auth:login-failures:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;

/**
 * Failed logins shared by every auth instance on the same Redis: one sorted set per key, a failure
 * time per member (scored by the time, unique so that two failures in one millisecond both count).
 * A record trims the aged-out and all but the last `max` and sets the expiry in one MULTI, so the
 * set never outlives its window. One key per command: works on a cluster too.
 */
export class RedisLoginFailureLog implements LoginFailureLog {
  constructor(private readonly connections: RedisConnections) {}

  async record(key: string, at: number, window: FailureWindow): Promise<void> {
    const redisKey = loginFailuresKey(key);
    await this.command('ZADD login failure', async (client) => {
      const results = await client
        .multi()
        .call('ZADD', redisKey, at, `${at}:${randomUUID()}`)
        .call('ZREMRANGEBYSCORE', redisKey, '-inf', at - window.windowMs)
        .call('ZREMRANGEBYRANK', redisKey, 0, -(window.max + 1))
        .call('PEXPIRE', redisKey, window.windowMs)
        .exec();
      const failed = results?.find(([error]) => error)?.[0];
      if (failed) throw failed;
    });
  }

  async recent(key: string, now: number, window: FailureWindow): Promise<number[]> {
    const redisKey = loginFailuresKey(key);
    const reply = (await this.command('ZRANGEBYSCORE login failures', (client) =>
      client.call('ZRANGEBYSCORE', redisKey, `(${now - window.windowMs}`, '+inf', 'WITHSCORES'),
    )) as string[];
    const times: number[] = [];
    for (let i = 1; i < reply.length; i += 2) times.push(Number(reply[i]));
    return times.slice(-window.max);
  }

  async clear(key: string): Promise<void> {
    const redisKey = loginFailuresKey(key);
    await this.command('DEL login failures', (client) => client.call('DEL', redisKey));
  }

  private command<T>(operation: string, send: (client: RedisClient) => Promise<T>): Promise<T> {
    const client = this.connections.command;
    return callRedis(client, this.connections.timeouts, operation, () => send(client));
  }
}
