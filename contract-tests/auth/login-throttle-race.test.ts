import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LoginFailureLog } from '../../core/auth/ports.js';
import { createHttpApp } from '../../adapters/http/fastify-app.js';
import { registerAuthRoutes } from '../../adapters/http/auth/auth-routes.js';
import { listenHttp } from '../../adapters/http/listen.js';
import { InMemoryLoginFailureLog } from '../../adapters/memory/in-memory-login-failure-log.js';
import { createLogger } from '../../adapters/observability/logger.js';
import { RedisConnections } from '../../adapters/redis/redis-connections.js';
import { RedisLoginFailureLog } from '../../adapters/redis/redis-login-failure-log.js';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { waitFor } from '../messaging/wait.js';
import { createAuthHarness, inMemoryAuthRepositories, StrongPassword, type AuthHarness } from './auth-harness.js';

let redis: RedisFixture;
let connections: RedisConnections;

beforeAll(async () => {
  redis = await startRedisNode();
  connections = new RedisConnections(redis.config);
}, 30_000);
afterAll(async () => {
  await connections?.close();
  await redis?.stop();
});

const logs: Record<string, () => LoginFailureLog> = {
  'in memory': () => new InMemoryLoginFailureLog(),
  'on Redis': () => new RedisLoginFailureLog(connections),
};

/** Concurrent guesses over a real socket: the attempt is reserved before the password is checked (docs/adr/0035). */
describe.each(Object.keys(logs))('login throttle under a concurrent burst, %s', (name) => {
  const limit = 10;
  let h: AuthHarness;
  let app: FastifyInstance;
  let url: string;

  const start = async () => {
    h = await createAuthHarness(
      inMemoryAuthRepositories(),
      { loginThrottle: { perAccount: { max: limit, windowMs: 60_000 }, perAddress: { max: 1_000, windowMs: 60_000 } } },
      // A real cost, so that the password checks of a burst overlap as they do in production.
      { loginFailures: logs[name]!(), passwordHashCost: 2 ** 14 },
    );
    app = createHttpApp({ logger: createLogger('login-race-test', 'silent') });
    registerAuthRoutes(app, h.service);
    url = (await listenHttp(app, { host: '127.0.0.1', port: 0 })).url;
  };
  afterEach(async () => {
    await app?.close();
  });

  const login = async (email: string, password: string): Promise<number> => {
    const response = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    await response.arrayBuffer();
    return response.status;
  };

  it('checks at most `limit` passwords of 30 concurrent wrong guesses, and refuses the rest with 429', { timeout: 30_000 }, async () => {
    await start();
    const user = await h.registerUser();
    const before = h.passwords.verifications;
    const statuses = await Promise.all(Array.from({ length: 30 }, () => login(user.email, 'a wrong guess')));
    const verified = h.passwords.verifications - before;
    console.log(`${name}: 30 concurrent guesses, ${verified} password checks, statuses ${JSON.stringify(count(statuses))}`);
    expect(verified).toBeLessThanOrEqual(limit);
    expect(statuses.filter((status) => status === 401)).toHaveLength(limit);
    expect(statuses.filter((status) => status === 429)).toHaveLength(30 - limit);
  });

  it('refuses a correct password sent inside a burst past the limit', { timeout: 30_000 }, async () => {
    await start();
    const user = await h.registerUser();
    const before = h.passwords.verifications;
    const guesses = Array.from({ length: 30 }, () => login(user.email, 'a wrong guess'));
    // The guesses reached the server and the first `limit` are being checked: the correct one comes 31st.
    await waitFor(() => h.passwords.verifications - before >= limit, 10_000, 'the burst to reach the password checks');
    const correct = await login(user.email, StrongPassword);
    await Promise.all(guesses);
    expect(correct).toBe(429);
  });
});

const count = (statuses: number[]): Record<number, number> => {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
};
