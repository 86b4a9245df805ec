import { describe, expect, it } from 'vitest';
import { redisConfigToEnv, type RedisConfig } from '../adapters/redis/redis-config.js';
import { ConfigError, loadConfig, type Env } from './config.js';

const problemsOf = (env: Env): readonly string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('the Redis settings', () => {
  it('mean layer 3 in this process when neither REDIS_URL nor REDIS_CLUSTER_NODES is set', () => {
    expect(loadConfig({}).redis).toBeUndefined();
    expect(loadConfig({ REDIS_URL: '  ' }).redis).toBeUndefined();
  });

  it('read one server or the seed nodes of a cluster', () => {
    expect(loadConfig({ REDIS_URL: 'redis://user:secret@cache:6380/2' }).redis).toEqual({
      kind: 'node',
      url: 'redis://user:secret@cache:6380/2',
    });
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'a:7000,[::1]:7002', REDIS_TLS: 'on' }).redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'a', port: 7000 },
        { host: '::1', port: 7002 },
      ],
      tls: {},
    });
  });

  it('report bad values and contradictions together, the password masked', () => {
    expect(
      problemsOf({ REDIS_URL: 'http://u:hunter2@cache:6379', REDIS_TLS: 'maybe', REDIS_USERNAME: 'mesh', MESH_BALANCER: 'random' }),
    ).toEqual([
      "REDIS_URL must look like redis://host:port or redis://user:password@host:port/db; got 'http://u:***@cache:6379'",
      "REDIS_TLS must be one of on, off; got 'maybe'",
      "MESH_BALANCER must be one of round_robin, p2c_peak_ewma; got 'random'",
      'REDIS_USERNAME needs REDIS_PASSWORD',
    ]);
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'a:7000,b,c:99999' })).toEqual([
      "REDIS_CLUSTER_NODES entries must be host:port; got 'b', 'c:99999'",
    ]);
  });

  it('round-trip through the variables a child process reads', () => {
    const config: RedisConfig = {
      kind: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7000 },
        { host: '::1', port: 7001 },
      ],
      username: 'm',
      password: 'p',
      tls: { caFile: '/ca.pem' },
    };
    expect(loadConfig(redisConfigToEnv(config)).redis).toEqual(config);
  });
});
