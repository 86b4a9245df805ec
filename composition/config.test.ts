import { describe, expect, it } from 'vitest';
import { ConfigError, DefaultPorts, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('uses the specification ports and embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.ports).toEqual(DefaultPorts);
    expect(config.ports.auth).toEqual({ grpcPort: 9000, httpPort: 9001 });
    expect(config.bindHost).toBe('127.0.0.1');
    expect(config.auth.tokenTtlSeconds).toBe(900);
    expect(config.targets.auth).toEqual({ grpc: '127.0.0.1:9000', http: '127.0.0.1:9001' });
  });

  it('takes the address of a service run elsewhere from <SERVICE>_GRPC_TARGET', () => {
    expect(loadConfig({ AUTH_GRPC_TARGET: 'auth.internal:9000' }).targets.auth.grpc).toBe('auth.internal:9000');
    expect(() => loadConfig({ PROJECT_HTTP_TARGET: 'nope' })).toThrow(/PROJECT_HTTP_TARGET must be host:port/);
  });

  it('reads ports, hosts and auth settings from the environment', () => {
    const config = loadConfig({
      AUTH_GRPC_PORT: '19000',
      GATEWAY_HTTP_PORT: '0',
      MESH_BIND_HOST: '0.0.0.0',
      AUTH_ADMIN_EMAILS: ' Root@Example.com , ops@example.com',
      AUTH_PASSWORD_HASH_COST: '1024',
    });
    expect(config.ports.auth.grpcPort).toBe(19000);
    expect(config.ports['api-gateway'].httpPort).toBe(0);
    expect(config.advertiseHost).toBe('127.0.0.1');
    expect(config.auth.adminEmails).toEqual(['root@example.com', 'ops@example.com']);
    expect(config.auth.passwordHashCost).toBe(1024);
  });

  it('reports every bad value at once with the variable and what it expects', () => {
    let error: unknown;
    try {
      loadConfig({ AUTH_GRPC_PORT: 'ninety', PROJECT_HTTP_PORT: '70000', LOG_LEVEL: 'loud', AUTH_PASSWORD_HASH_COST: '3000' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems[0]).toContain("AUTH_GRPC_PORT must be an integer from 0 to 65535; got 'ninety'");
    expect(problems.join('\n')).toContain('PROJECT_HTTP_PORT');
    expect(problems.join('\n')).toContain('LOG_LEVEL must be one of');
    expect(problems.join('\n')).toContain('AUTH_PASSWORD_HASH_COST must be a power of two');
  });

  it('reads the simulation settings, in range', () => {
    expect(loadConfig({}).simulation).toEqual({ updatesPerSecond: 10, cleanupIntervalMs: 3_600_000, retentionMs: 168 * 3_600_000 });
    const config = loadConfig({ SIMULATION_UPDATES_PER_SECOND: '100', SIMULATION_CLEANUP_INTERVAL_SECONDS: '60', SIMULATION_RETENTION_HOURS: '1' });
    expect(config.simulation).toEqual({ updatesPerSecond: 100, cleanupIntervalMs: 60_000, retentionMs: 3_600_000 });
    expect(() => loadConfig({ SIMULATION_UPDATES_PER_SECOND: '9' })).toThrow(/SIMULATION_UPDATES_PER_SECOND must be an integer from 10 to 100; got '9'/);
  });

  it('refuses two servers on one port', () => {
    expect(() => loadConfig({ AUTH_HTTP_PORT: '9000' })).toThrow(/used twice: 9000/);
  });
});
