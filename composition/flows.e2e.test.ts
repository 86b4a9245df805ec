import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisConfigToEnv } from '../adapters/redis/redis-config.js';
import { connectSocket, type Received, type TestSocket } from '../contract-tests/gateway/ws-client.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { findFreePorts } from '../test-support/free-ports.js';
import { startMeshProcess, type MeshProcess } from '../test-support/mesh-process.js';
import { startRedisNode, type RedisFixture } from '../test-support/redis-fixture.js';

const metricFields = [
  'timestamp',
  'nodes_active',
  'nodes_failed',
  'pods_running',
  'services_healthy',
  'cpu_total',
  'memory_total',
  'network_in',
  'network_out',
  'requests_per_sec',
  'avg_latency',
  'error_rate',
  'simulation_step',
];

/**
 * The specification's three flows (docs/specification.md#the-three-flows), step by step, with the four services as separate processes on a
 * real Redis, and two gateway instances: watchers on both receive every update.
 */
describe('the specification flows across processes on Redis', () => {
  let redis: RedisFixture;
  const processes: MeshProcess[] = [];
  const sockets: TestSocket[] = [];
  const http2 = h2cAgent();
  let gatewayA: string;
  let gatewayB: string;
  let wsA: string;
  let wsB: string;
  let token: string;
  let userId: string;
  let events: TestSocket;
  const email = 'flows@example.com';
  const password = 'correct horse battery';

  beforeAll(async () => {
    redis = await startRedisNode();
    const ports = await findFreePorts(10);
    const [authG, authH, projG, projH, simG, simH, gwAG, gwAH, gwBG, gwBH] = ports.map(String) as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const common = {
      ...redisConfigToEnv(redis.config),
      AUTH_GRPC_PORT: authG,
      AUTH_HTTP_PORT: authH,
      PROJECT_GRPC_PORT: projG,
      PROJECT_HTTP_PORT: projH,
      SIMULATION_GRPC_PORT: simG,
      SIMULATION_HTTP_PORT: simH,
      AUTH_GRPC_TARGET: `127.0.0.1:${authG}`,
      AUTH_HTTP_TARGET: `127.0.0.1:${authH}`,
      PROJECT_GRPC_TARGET: `127.0.0.1:${projG}`,
      PROJECT_HTTP_TARGET: `127.0.0.1:${projH}`,
      SIMULATION_GRPC_TARGET: `127.0.0.1:${simG}`,
      SIMULATION_HTTP_TARGET: `127.0.0.1:${simH}`,
      SIMULATION_UPDATES_PER_SECOND: '20',
    };
    const gateway = (grpc: string, http: string, id: string) => ({
      ...common,
      GATEWAY_GRPC_PORT: grpc,
      GATEWAY_HTTP_PORT: http,
      GATEWAY_INSTANCE_ID: id,
    });
    processes.push(
      ...(await Promise.all([
        startMeshProcess(['auth'], { ...common, GATEWAY_GRPC_PORT: gwAG, GATEWAY_HTTP_PORT: gwAH }),
        startMeshProcess(['project'], { ...common, GATEWAY_GRPC_PORT: gwAG, GATEWAY_HTTP_PORT: gwAH }),
        startMeshProcess(['simulation'], { ...common, GATEWAY_GRPC_PORT: gwAG, GATEWAY_HTTP_PORT: gwAH }),
        startMeshProcess(['api-gateway'], gateway(gwAG, gwAH, 'gateway-a')),
        startMeshProcess(['api-gateway'], gateway(gwBG, gwBH, 'gateway-b')),
      ])),
    );
    gatewayA = `http://127.0.0.1:${gwAH}`;
    gatewayB = `http://127.0.0.1:${gwBH}`;
    wsA = `ws://127.0.0.1:${gwAH}`;
    wsB = `ws://127.0.0.1:${gwBH}`;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close()));
    await http2.close();
    await Promise.all(processes.map((process) => process.kill()));
    await redis?.stop();
  });

  const open = async (url: string): Promise<TestSocket> => {
    const socket = connectSocket(url, ['bearer', token]);
    sockets.push(socket);
    await socket.opened;
    return socket;
  };
  const eventsOn = (channel: string): Received[] => events.ofType('event').filter((message) => message.channel === channel);

  it(
    'authentication flow: the gateway validates tokens with auth over gRPC; login events reach WebSocket clients',
    { timeout: 60_000 },
    async () => {
      const registered = await jsonRequest(http2, 'POST', `${gatewayA}/auth/register`, { body: { email, password, name: 'Flo' } });
      expect(registered.status).toBe(201);
      userId = registered.body.user.id;
      const login = await jsonRequest(http2, 'POST', `${gatewayA}/auth/login`, { body: { email, password } });
      expect(login.status).toBe(200);
      token = login.body.access_token;

      // 1-5: a client request with the JWT; the gateway validates it with auth, then calls the target service.
      expect((await jsonRequest(http2, 'GET', `${gatewayB}/projects`, { token })).status).toBe(200);
      expect((await jsonRequest(http2, 'GET', `${gatewayB}/projects`, { token: `${token}x` })).status).toBe(401);

      // 6-7: auth publishes auth:events:login; the gateway broadcasts it to the user's WebSocket clients.
      events = await open(`${wsA}/events`);
      await events.waitForType('connected', 1, 20_000);
      const again = await jsonRequest(http2, 'POST', `${gatewayB}/auth/login`, { body: { email, password } });
      expect(again.status).toBe(200);
      await waitFor(() => eventsOn('auth:events:login').length > 0, 20_000, 'auth:events:login on /events');
      expect(eventsOn('auth:events:login')[0]!.event).toMatchObject({ type: 'login', user_id: userId });
    },
  );

  let projectId: string;
  it('project creation flow: ValidateToken, CreateProject, CheckPermission, then project:events:created', { timeout: 60_000 }, async () => {
    const created = await jsonRequest(http2, 'POST', `${gatewayB}/projects`, {
      token,
      body: { name: 'Flow cluster', template_id: 'microservices' },
    });
    expect(created.status).toBe(201);
    projectId = created.body.project_id;
    expect(projectId).toEqual(expect.any(String));
    await waitFor(() => eventsOn('project:events:created').length > 0, 20_000, 'project:events:created on /events');
    expect(eventsOn('project:events:created')[0]!.event).toMatchObject({ type: 'created', project_id: projectId, user_id: userId });
  });

  it('real-time simulation flow: GetProject, StartSimulation, CheckPermission, live metrics on both gateways', async () => {
    const started = await jsonRequest(http2, 'POST', `${gatewayA}/simulations`, {
      token,
      body: { project_id: projectId, duration_seconds: 3, enable_real_time: true },
    });
    expect(started.status).toBe(201);
    const simulationId: string = started.body.simulation_id;
    expect(started.body.websocket_channel).toBe(`simulation:stream:${simulationId}`);

    const watchers = await Promise.all([
      open(`${wsA}/simulation/stream?simulation_id=${simulationId}`),
      open(`${wsB}/simulation/stream?simulation_id=${simulationId}`),
    ]);
    await Promise.all(watchers.map((watcher) => watcher.waitForType('simulation_completed', 1, 30_000)));

    const steps = watchers.map((watcher) => watcher.ofType('simulation_metrics').map((message) => message.simulation_step));
    // A watcher that connected later may start a few steps in; from there both see every step once, in order.
    for (const seen of steps) {
      expect(seen.length).toBeGreaterThan(10);
      expect(seen.at(-1)).toBe(60);
      expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => Number(seen[0]) + i));
    }
    const sample = watchers[1]!.ofType('simulation_metrics')[0]!;
    expect(Object.keys(sample)).toEqual(expect.arrayContaining(['type', 'simulation_id', ...metricFields]));

    await waitFor(() => eventsOn('simulation:events:completed').length > 0, 20_000, 'simulation:events:completed on /events');
    expect(eventsOn('simulation:events:started')[0]!.event).toMatchObject({ simulation_id: simulationId, project_id: projectId });

    const results = await jsonRequest(http2, 'GET', `${gatewayB}/simulations/${simulationId}/results`, { token });
    expect(results.status).toBe(200);
  }, 60_000);
});
