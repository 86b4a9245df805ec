import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisConfigToEnv } from '../adapters/redis/redis-config.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { findFreePorts } from '../test-support/free-ports.js';
import { startMeshProcess, type MeshProcess } from '../test-support/mesh-process.js';
import { startRedisNode, type RedisFixture } from '../test-support/redis-fixture.js';

/** Two auth processes on one Redis count failed logins together: N instances do not give N times the attempts. */
describe('login throttling across auth processes on Redis', () => {
  let redis: RedisFixture;
  const auths: MeshProcess[] = [];
  const urls: string[] = [];
  const http2 = h2cAgent();

  beforeAll(async () => {
    redis = await startRedisNode();
    const ports = await findFreePorts(4);
    for (const i of [0, 1]) {
      const [grpcPort, httpPort] = [ports[2 * i]!, ports[2 * i + 1]!];
      urls.push(`http://127.0.0.1:${httpPort}`);
      auths.push(
        await startMeshProcess(['auth'], {
          ...redisConfigToEnv(redis.config),
          AUTH_GRPC_PORT: String(grpcPort),
          AUTH_HTTP_PORT: String(httpPort),
        }),
      );
    }
  }, 120_000);

  afterAll(async () => {
    await http2.close();
    await Promise.all(auths.map((auth) => auth.kill()));
    await redis?.stop();
  });

  it('refuses on one instance an account that failed 10 times across both', { timeout: 60_000 }, async () => {
    const body = { email: 'mallory-target@example.com', password: 'not the password at all' };
    for (let i = 0; i < 10; i += 1) {
      const failed = await jsonRequest(http2, 'POST', `${urls[i % 2]}/auth/login`, { body });
      expect(failed.status).toBe(401);
    }
    for (const url of urls) {
      const throttled = await jsonRequest(http2, 'POST', `${url}/auth/login`, { body });
      expect(throttled.status).toBe(429);
      expect(throttled.body).toMatchObject({ type: 'urn:meshwork:problem:too_many_login_attempts' });
    }
  });
});
