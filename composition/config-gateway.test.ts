import { describe, expect, it } from 'vitest';
import { DEFAULT_CALL_TIMEOUTS_MS } from '../core/resilience/deadline.js';
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

describe('the gateway settings', () => {
  it('have defaults: no instance id (the launcher draws one), same-origin only, the mesh-wide deadlines', () => {
    const { gateway } = loadConfig({});
    expect(gateway.instanceId).toBeUndefined();
    expect(gateway.corsOrigins).toEqual([]);
    expect(gateway.behindTls).toBe(false);
    expect(gateway.timeouts).toEqual({
      auth: DEFAULT_CALL_TIMEOUTS_MS.auth,
      project: DEFAULT_CALL_TIMEOUTS_MS.project,
      simulation: DEFAULT_CALL_TIMEOUTS_MS.simulation,
    });
    expect(gateway.timeouts).toEqual({ auth: 2_000, project: 3_000, simulation: 5_000 });
    expect(gateway.websocket.maxMessageBytes).toBe(16_384);
    expect(gateway.websocket.maxPerUser).toBe(32);
  });

  it('read the WebSocket cap per user, in range (docs/adr/0036)', () => {
    expect(loadConfig({ GATEWAY_WS_MAX_PER_USER: '4' }).gateway.websocket.maxPerUser).toBe(4);
    expect(problemsOf({ GATEWAY_WS_MAX_PER_USER: '0' })).toEqual([
      expect.stringMatching(/GATEWAY_WS_MAX_PER_USER must be an integer from 1/),
    ]);
  });

  it('read GATEWAY_* variables', () => {
    const { gateway } = loadConfig({
      GATEWAY_INSTANCE_ID: 'gw-eu-1',
      GATEWAY_CORS_ORIGINS: 'https://app.example, http://localhost:5173',
      GATEWAY_BEHIND_TLS: 'true',
      GATEWAY_RATE_PER_USER: '5',
      GATEWAY_AUTH_TIMEOUT_MS: '500',
    });
    expect(gateway).toMatchObject({
      instanceId: 'gw-eu-1',
      corsOrigins: ['https://app.example', 'http://localhost:5173'],
      behindTls: true,
      perUser: { perSecond: 5 },
      timeouts: { auth: 500 },
    });
  });

  it('report every bad value at once, beside the other variables', () => {
    expect(
      problemsOf({
        GATEWAY_INSTANCE_ID: 'has space',
        GATEWAY_CORS_ORIGINS: 'app.example,*,ftp://x',
        GATEWAY_BEHIND_TLS: 'maybe',
        GATEWAY_WS_MAX_LAG_MS: '5',
        AUTH_GRPC_PORT: 'ninety',
      }),
    ).toEqual([
      "AUTH_GRPC_PORT must be an integer from 0 to 65535; got 'ninety'",
      "GATEWAY_INSTANCE_ID must be 1-64 of A-Z a-z 0-9 . _ -; got 'has space'",
      "GATEWAY_CORS_ORIGINS entries must be scheme://host[:port] or *; got 'app.example', 'ftp://x'",
      "GATEWAY_BEHIND_TLS must be true or false; got 'maybe'",
      "GATEWAY_WS_MAX_LAG_MS must be an integer from 10 to 3600000; got '5'",
    ]);
  });
});
