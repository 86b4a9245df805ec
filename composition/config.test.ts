import { describe, expect, it } from 'vitest';
import { ConfigError, DefaultPorts, instanceEndpoints, loadConfig } from './config.js';

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
    expect(problems.join('\n')).toContain("AUTH_GRPC_PORT must be an integer from 0 to 65535; got 'ninety'");
    expect(problems.join('\n')).toContain('PROJECT_HTTP_PORT');
    expect(problems.join('\n')).toContain('LOG_LEVEL must be one of');
    expect(problems.join('\n')).toContain('AUTH_PASSWORD_HASH_COST must be a power of two');
  });

  it('reads the simulation settings, in range', () => {
    const running = { perUser: 5, perProject: 10, graceMs: 60_000 };
    expect(loadConfig({}).simulation).toEqual({
      updatesPerSecond: 10,
      cleanupIntervalMs: 3_600_000,
      retentionMs: 168 * 3_600_000,
      running,
      finishedStreamGraceMs: 60_000,
    });
    const config = loadConfig({
      SIMULATION_UPDATES_PER_SECOND: '100',
      SIMULATION_CLEANUP_INTERVAL_SECONDS: '60',
      SIMULATION_RETENTION_HOURS: '1',
    });
    expect(config.simulation).toEqual({
      updatesPerSecond: 100,
      cleanupIntervalMs: 60_000,
      retentionMs: 3_600_000,
      running,
      finishedStreamGraceMs: 60_000,
    });
    expect(() => loadConfig({ SIMULATION_UPDATES_PER_SECOND: '9' })).toThrow(
      /SIMULATION_UPDATES_PER_SECOND must be an integer from 10 to 100; got '9'/,
    );
  });

  it("reads the running limits of simulations and the HTTP ports' slow-client limits, in range (docs/adr/0036)", () => {
    const limited = loadConfig({
      SIMULATION_MAX_RUNNING_PER_USER: '2',
      SIMULATION_MAX_RUNNING_PER_PROJECT: '7',
      SIMULATION_RUNNING_GRACE_SECONDS: '0',
      HTTP_REQUEST_TIMEOUT_MS: '1000',
      HTTP_HEADERS_TIMEOUT_MS: '500',
      HTTP_MAX_CONNECTIONS_PER_ADDRESS: '0',
    });
    expect(limited.simulation.running).toEqual({ perUser: 2, perProject: 7, graceMs: 0 });
    expect(limited.httpServer).toEqual({ requestTimeoutMs: 1_000, headersTimeoutMs: 500, maxConnectionsPerAddress: 0 });
    expect(loadConfig({}).httpServer).toEqual({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, maxConnectionsPerAddress: 256 });
    expect(() => loadConfig({ SIMULATION_MAX_RUNNING_PER_USER: '0' })).toThrow(/SIMULATION_MAX_RUNNING_PER_USER must be an integer from 1/);
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '5' })).toThrow(/HTTP_REQUEST_TIMEOUT_MS must be an integer from 100/);
  });

  it('reads a metrics token of 16 characters or more, and none by default', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: 'a-long-scrape-token' }).metricsToken).toBe('a-long-scrape-token');
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 16 characters/);
  });

  it('reads the services of a container from MESH_SERVICES, and the plaintext health port', () => {
    expect(loadConfig({}).services).toEqual([]);
    const config = loadConfig({ MESH_SERVICES: 'auth, project', MESH_HEALTH_PORT: '8090' });
    expect(config.services).toEqual(['auth', 'project']);
    expect(config.mesh.healthPort).toBe(8090);
    expect(() => loadConfig({ MESH_SERVICES: 'auth,billing' })).toThrow(/MESH_SERVICES entries must be services .*'billing'/);
    expect(() => loadConfig({ MESH_HEALTH_PORT: '9000' })).toThrow(/used twice: 9000/);
  });

  it('refuses two servers on one port', () => {
    expect(() => loadConfig({ AUTH_HTTP_PORT: '9000' })).toThrow(/used twice: 9000/);
  });

  it('remembers which targets were configured explicitly', () => {
    expect(loadConfig({}).configuredTargets).toEqual([]);
    expect(loadConfig({ AUTH_GRPC_TARGET: '10.0.0.5:9000', PROJECT_HTTP_TARGET: '10.0.0.6:10001' }).configuredTargets).toEqual(['auth']);
  });

  it('uses the specification defaults for the mesh', () => {
    expect(loadConfig({}).mesh).toEqual({
      maxConnections: 1000,
      priorities: ['auth', 'project', 'simulation', 'api-gateway'],
      healthIntervalMs: 30_000,
      heartbeatMs: 3_000,
      registryTtlMs: 10_000,
      drainNoticeMs: 250,
      instances: { 'api-gateway': 1, auth: 1, project: 1, simulation: 1 },
      instancePortStride: 100,
      balancer: 'round_robin',
      adminPort: undefined,
    });
  });

  it('reads the mesh settings and the instances to start', () => {
    const config = loadConfig({
      MESH_MAX_CONNECTIONS: '200',
      MESH_SERVICE_PRIORITIES: 'project, auth',
      MESH_HEALTH_INTERVAL_MS: '5000',
      MESH_HEARTBEAT_MS: '300',
      MESH_REGISTRY_TTL_MS: '1500',
      MESH_DRAIN_NOTICE_MS: '0',
      MESH_INSTANCES: 'api-gateway=3, auth=2',
      MESH_BALANCER: 'p2c_peak_ewma',
      MESH_ADMIN_PORT: '7999',
    });
    expect(config.mesh).toMatchObject({
      maxConnections: 200,
      priorities: ['project', 'auth'],
      healthIntervalMs: 5_000,
      heartbeatMs: 300,
      registryTtlMs: 1_500,
      drainNoticeMs: 0,
      instances: { 'api-gateway': 3, auth: 2, project: 1, simulation: 1 },
      balancer: 'p2c_peak_ewma',
      adminPort: 7999,
    });
  });

  it('puts instance i on the service ports plus i strides, and keeps ephemeral ports ephemeral', () => {
    const config = loadConfig({ MESH_INSTANCES: 'api-gateway=3', SIMULATION_GRPC_PORT: '0' });
    expect([0, 1, 2].map((i) => instanceEndpoints(config, 'api-gateway', i))).toEqual([
      { grpcPort: 8000, httpPort: 8001 },
      { grpcPort: 8100, httpPort: 8101 },
      { grpcPort: 8200, httpPort: 8201 },
    ]);
    expect(instanceEndpoints(config, 'simulation', 1)).toEqual({ grpcPort: 0, httpPort: 11101 });
  });

  it('refuses instances whose ports collide with another service or pass 65535', () => {
    expect(() => loadConfig({ MESH_INSTANCES: 'api-gateway=11' })).toThrow(/used twice: 9000, 9001/);
    expect(() => loadConfig({ MESH_INSTANCES: 'simulation=2', MESH_INSTANCE_PORT_STRIDE: '10000', SIMULATION_HTTP_PORT: '60000' })).toThrow(
      /instance ports past 65535/,
    );
    expect(() => loadConfig({ MESH_ADMIN_PORT: '9001' })).toThrow(/used twice: 9001/);
  });

  it('reports bad mesh settings with the variable and what it expects', () => {
    let error: unknown;
    try {
      loadConfig({
        MESH_INSTANCES: 'auth=0,billing=2',
        MESH_SERVICE_PRIORITIES: 'auth,auth',
        MESH_BALANCER: 'random',
        MESH_HEARTBEAT_MS: '10000',
      });
    } catch (e) {
      error = e;
    }
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain(
      "MESH_INSTANCES entries must be <service>=<1-20> with a service from api-gateway, auth, project, simulation; got 'auth=0'",
    );
    expect(problems).toContain("got 'auth=0', 'billing=2'");
    expect(problems).toContain('MESH_SERVICE_PRIORITIES must list services');
    expect(problems).toContain('MESH_BALANCER must be one of round_robin, p2c_peak_ewma');
    expect(problems).toContain('MESH_REGISTRY_TTL_MS (10000) must exceed MESH_HEARTBEAT_MS (10000)');
  });
});
