import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h2cAgent, jsonRequest } from '../../contract-tests/support/http2-client.js';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { createRedisMessaging } from '../messaging.js';
import type { RunningService } from '../service-server.js';
import { startGatewayTestBed, type GatewayTestBed } from '../../test-support/gateway-test-bed.js';
import { testLogger } from '../../test-support/test-logger.js';

const STARTUP_TIMEOUT_MS = 90_000;

/** The real gateway and auth roots, two gateways on one Redis: refresh tokens and logouts through the client API. */
describe('tokens through two gateways on one Redis', () => {
  let redis: RedisFixture;
  let bed: GatewayTestBed;
  let gateways: RunningService[];
  const http = h2cAgent();
  const base = (gateway: RunningService) => `http://127.0.0.1:${gateway.http.port}`;

  beforeAll(async () => {
    redis = await startRedisNode();
    const logger = testLogger('gateway-token-test');
    bed = await startGatewayTestBed({
      backends: ['auth', 'project'],
      openMessaging: () => createRedisMessaging(redis.config, logger),
      // Reuse ends the session at once here; the grace for concurrent refreshes is tested in contract-tests/auth.
      env: { AUTH_REFRESH_REUSE_GRACE_SECONDS: '0' },
    });
    gateways = [await bed.startGateway({ instanceId: 'gw-t1' }), await bed.startGateway({ instanceId: 'gw-t2' })];
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await bed?.stop();
    await http.close();
    await redis?.stop();
  }, STARTUP_TIMEOUT_MS);

  const login = async (gateway: RunningService) => {
    const email = `tokens-${Date.now()}-${Math.random().toString(36).slice(2)}@example.test`;
    const password = 'correct horse battery';
    expect((await jsonRequest(http, 'POST', `${base(gateway)}/auth/register`, { body: { email, password, name: 'T' } })).status).toBe(201);
    const answer = await jsonRequest(http, 'POST', `${base(gateway)}/auth/login`, { body: { email, password } });
    expect(answer.status).toBe(200);
    return answer.body as { access_token: string; refresh_token: string };
  };
  const projects = (gateway: RunningService, token: string) => jsonRequest(http, 'GET', `${base(gateway)}/projects`, { token });

  it('refreshes through the gateway; the new token works on both gateways, a reused refresh token ends the session on both', async () => {
    const first = await login(gateways[0]!);

    const refreshed = await jsonRequest(http, 'POST', `${base(gateways[1]!)}/auth/refresh`, {
      body: { refresh_token: first.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    for (const gateway of gateways) expect((await projects(gateway, refreshed.body.access_token)).status).toBe(200);

    const reused = await jsonRequest(http, 'POST', `${base(gateways[0]!)}/auth/refresh`, { body: { refresh_token: first.refresh_token } });
    expect(reused.status).toBe(401);
    for (const gateway of gateways) {
      await expect
        .poll(async () => (await projects(gateway, refreshed.body.access_token)).status, { timeout: 2_000, interval: 5 })
        .toBe(401);
    }
  });

  it('refuses a token on the gateway that passed the logout at once, and on the other one right after (time printed)', async () => {
    const { access_token: token } = await login(gateways[0]!);
    for (const gateway of gateways) expect((await projects(gateway, token)).status).toBe(200);

    expect((await jsonRequest(http, 'POST', `${base(gateways[0]!)}/auth/logout`, { token })).status).toBe(204);
    const loggedOutAt = performance.now();

    expect((await projects(gateways[0]!, token)).status).toBe(401);
    let other = 200;
    while (other !== 401 && performance.now() - loggedOutAt < 2_000) other = (await projects(gateways[1]!, token)).status;
    const elapsed = performance.now() - loggedOutAt;
    console.log(`logout through gateway 1: refused by gateway 2 ${elapsed.toFixed(2)} ms after the 204 (including its own request)`);
    expect(other).toBe(401);
  });
});
