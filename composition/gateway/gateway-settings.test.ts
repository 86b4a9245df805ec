import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { loadGatewaySettings } from './gateway-settings.js';

describe('loadGatewaySettings', () => {
  it('has defaults: a random instance id, same-origin only, the per-target deadlines', () => {
    const settings = loadGatewaySettings({});
    expect(settings.instanceId).toMatch(/^gateway-[0-9a-f]{8}$/);
    expect(settings.corsOrigins).toEqual([]);
    expect(settings.behindTls).toBe(false);
    expect(settings.timeouts).toEqual({ auth: 2_000, project: 3_000, simulation: 5_000 });
    expect(settings.websocket.maxMessageBytes).toBe(16_384);
    expect(loadGatewaySettings({}).instanceId).not.toBe(settings.instanceId);
  });

  it('reads GATEWAY_* variables', () => {
    const settings = loadGatewaySettings({
      GATEWAY_INSTANCE_ID: 'gw-eu-1',
      GATEWAY_CORS_ORIGINS: 'https://app.example, http://localhost:5173',
      GATEWAY_BEHIND_TLS: 'true',
      GATEWAY_RATE_PER_USER: '5',
      GATEWAY_AUTH_TIMEOUT_MS: '500',
    });
    expect(settings).toMatchObject({
      instanceId: 'gw-eu-1',
      corsOrigins: ['https://app.example', 'http://localhost:5173'],
      behindTls: true,
      perUser: { perSecond: 5 },
      timeouts: { auth: 500 },
    });
  });

  it('reports every bad value at once', () => {
    try {
      loadGatewaySettings({ GATEWAY_INSTANCE_ID: 'has space', GATEWAY_CORS_ORIGINS: 'app.example', GATEWAY_BEHIND_TLS: 'maybe' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(3);
    }
  });
});
