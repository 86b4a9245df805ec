import { createHash, randomUUID } from 'node:crypto';
import type { AttemptReservation, FailureWindow, LoginFailureLog } from '../../core/auth/ports.js';
import { callRedis, type RedisClient } from './redis-call.js';
import type { RedisConnections } from './redis-connections.js';
import { runScript, type LuaScript } from './stream-scripts.js';

const reserveSource = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local count = redis.call('ZCARD', KEYS[1])
local max = tonumber(ARGV[3])
if count >= max then
  local oldest = redis.call('ZRANGE', KEYS[1], count - max, count - max, 'WITHSCORES')
  return {0, oldest[2]}
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, ARGV[4]}
`;

/**
 * Check and reserve in one step (a script runs alone on its node): trims the aged-out, refuses with
 * the oldest counting time when `max` remain, else adds the attempt. KEYS[1] set; ARGV at, windowMs, max, member.
 */
export const reserveAttemptScript: LuaScript = { source: reserveSource, sha: createHash('sha1').update(reserveSource).digest('hex') };

/** The sorted set of a key's failures. Hashed: no email or client address appears in Redis. */
export const loginFailuresKey = (key: string): string =>
  `auth:login-failures:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;

/**
 * Failed logins shared by every auth instance on the same Redis: one sorted set per key, a failure
 * time per member (scored by the time, unique so that two failures in one millisecond both count).
 * A record trims the aged-out and all but the last `max` and sets the expiry in one MULTI, so the
 * set never outlives its window. A reservation checks and adds in one Lua script, so concurrent logins
 * on any instance cannot all pass the check (docs/adr/0035). One key per command: works on a cluster too.
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

  async reserve(key: string, at: number, window: FailureWindow): Promise<AttemptReservation> {
    const redisKey = loginFailuresKey(key);
    const member = `${at}:${randomUUID()}`;
    const reply = (await this.command('EVALSHA reserve login attempt', (client) =>
      runScript(client, reserveAttemptScript, redisKey, [at, window.windowMs, window.max, member]),
    )) as [number, string];
    return reply[0] === 1 ? { granted: true, id: reply[1] } : { granted: false, retryAt: Number(reply[1]) + window.windowMs };
  }

  async release(key: string, id: string): Promise<void> {
    const redisKey = loginFailuresKey(key);
    await this.command('ZREM login attempt', (client) => client.call('ZREM', redisKey, id));
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
