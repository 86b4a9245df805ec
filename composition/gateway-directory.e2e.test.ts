import { credentials, type Client } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BroadcastMessageRequest,
  GatewayServiceClient,
  GetClientInfoRequest,
  GetConnectedClientsRequest,
  RouteMessageRequest,
} from '../adapters/grpc/generated/gateway.js';
import { redisConfigToEnv } from '../adapters/redis/redis-config.js';
import { CloseCodes } from '../adapters/websocket/close-codes.js';
import { connectSocket, type TestSocket } from '../contract-tests/gateway/ws-client.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { callUnary } from '../contract-tests/support/grpc-unary.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { findFreePorts } from '../test-support/free-ports.js';
import { startMeshProcess, UNTHROTTLED_GATEWAY, type MeshProcess } from '../test-support/mesh-process.js';
import { startRedisNode, type RedisFixture } from '../test-support/redis-fixture.js';
import { answerTo, collaboratorCopy, sawEdit } from '../test-support/collaboration-copy.js';
import { aUser, type TestUser } from '../test-support/gateway-users.js';

/** Short registry timings: a killed gateway's clients leave the directory within the test. */
const HEARTBEAT_MS = 200;
const TTL_MS = 1_500;
const STARTUP_TIMEOUT_MS = 180_000;

interface Gateway {
  readonly id: string;
  readonly process: MeshProcess;
  readonly http: string;
  readonly ws: string;
  readonly grpc: GatewayServiceClient;
}

/**
 * Three gateway processes and one process of the other services, on one real Redis: the client
 * directory and GatewayService across gateway instances (docs/adr/0052), and collaborators on
 * different gateways editing one project (docs/adr/0050).
 */
describe('three gateway processes on Redis share their clients', { timeout: 60_000 }, () => {
  let redis: RedisFixture;
  let backends: MeshProcess;
  const gateways: Gateway[] = [];
  const sockets: TestSocket[] = [];
  const http = h2cAgent();

  const open = (gateway: Gateway, path: string, user: TestUser): TestSocket => {
    const socket = connectSocket(`${gateway.ws}${path}`, ['bearer', user.token]);
    sockets.push(socket);
    return socket;
  };
  const clientsOf = async (gateway: Gateway, query: Partial<GetConnectedClientsRequest>) =>
    callUnary(gateway.grpc.getConnectedClients.bind(gateway.grpc), GetConnectedClientsRequest.fromPartial({ pageSize: 500, ...query }));
  /** Waits until the directory, asked on `gateway`, holds `count` clients matching `query`. */
  const listed = async (gateway: Gateway, query: Partial<GetConnectedClientsRequest>, count: number, what: string) => {
    await waitFor(async () => (await clientsOf(gateway, query)).totalCount === count, 15_000, what);
    return (await clientsOf(gateway, query)).clients;
  };
  const [first, second, third] = [0, 1, 2];
  const gw = (index: number): Gateway => gateways[index]!;

  beforeAll(async () => {
    redis = await startRedisNode();
    const ports = await findFreePorts(12);
    const mesh = {
      ...redisConfigToEnv(redis.config),
      MESH_HEARTBEAT_MS: String(HEARTBEAT_MS),
      MESH_REGISTRY_TTL_MS: String(TTL_MS),
      ...UNTHROTTLED_GATEWAY,
    };
    const [authGrpc, authHttp, projectGrpc, projectHttp, simulationGrpc, simulationHttp] = ports;
    backends = await startMeshProcess(['auth', 'project', 'simulation'], {
      ...mesh,
      AUTH_GRPC_PORT: String(authGrpc),
      AUTH_HTTP_PORT: String(authHttp),
      PROJECT_GRPC_PORT: String(projectGrpc),
      PROJECT_HTTP_PORT: String(projectHttp),
      SIMULATION_GRPC_PORT: String(simulationGrpc),
      SIMULATION_HTTP_PORT: String(simulationHttp),
    });
    const started = await Promise.all(
      [0, 1, 2].map(async (index) => {
        const [grpcPort, httpPort] = [ports[6 + index * 2]!, ports[7 + index * 2]!];
        const id = `gw-e2e-${index + 1}`;
        const process = await startMeshProcess(['api-gateway'], {
          ...mesh,
          GATEWAY_INSTANCE_ID: id,
          GATEWAY_GRPC_PORT: String(grpcPort),
          GATEWAY_HTTP_PORT: String(httpPort),
        });
        const grpc = new GatewayServiceClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
        return { id, process, http: `http://127.0.0.1:${httpPort}`, ws: `ws://127.0.0.1:${httpPort}`, grpc };
      }),
    );
    gateways.push(...started);
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close()));
    for (const gateway of gateways) (gateway.grpc as Client).close();
    await Promise.all(gateways.map((gateway) => gateway.process.stop()));
    await backends?.stop();
    await http.close();
    await redis?.stop();
  }, STARTUP_TIMEOUT_MS);

  it('routes a message and broadcasts to the clients on every gateway, answering how many took it', async () => {
    const ada = await aUser(http, gw(first).http, 'ada');
    const onEach = gateways.map((gateway) => open(gateway, '/events', ada));
    const connected = await Promise.all(onEach.map(async (socket) => (await socket.waitForType('connected'))[0]!));
    const clients = await listed(gw(first), { userId: ada.userId }, 3, "ada's three sockets in the directory");
    expect(clients.map((client) => client.instanceId).sort()).toEqual(['gw-e2e-1', 'gw-e2e-2', 'gw-e2e-3']);

    const routed = await callUnary(
      gw(second).grpc.routeMessage.bind(gw(second).grpc),
      RouteMessageRequest.fromPartial({
        targetUserId: ada.userId,
        messageType: 'hello',
        payload: Buffer.from('{"n":1}'),
        sourceService: 'test',
      }),
    );
    expect(routed).toMatchObject({ delivered: true, clientCount: 3, instanceCount: 3, unreachableInstances: [] });
    for (const socket of onEach)
      expect((await socket.waitForType('hello'))[0]).toEqual({ type: 'hello', source_service: 'test', payload: { n: 1 } });

    // One client by id, held by the third gateway, asked of the first.
    const target = String(connected[third]!['client_id']);
    const info = await callUnary(gw(first).grpc.getClientInfo.bind(gw(first).grpc), GetClientInfoRequest.fromPartial({ clientId: target }));
    expect(info.client).toMatchObject({ userId: ada.userId, instanceId: 'gw-e2e-3', connectionType: 'websocket' });
    const one = await callUnary(
      gw(first).grpc.routeMessage.bind(gw(first).grpc),
      RouteMessageRequest.fromPartial({
        targetClientId: target,
        messageType: 'only_you',
        payload: Buffer.from('2'),
        sourceService: 'test',
      }),
    );
    expect(one).toMatchObject({ delivered: true, clientCount: 1 });
    await onEach[third]!.waitForType('only_you');

    const broadcast = await callUnary(
      gw(third).grpc.broadcastMessage.bind(gw(third).grpc),
      BroadcastMessageRequest.fromPartial({
        channel: `user:${ada.userId}`,
        messageType: 'notice',
        payload: Buffer.from('"all"'),
        sourceService: 'test',
        excludeClientIds: [String(connected[first]!['client_id'])],
      }),
    );
    // The first gateway holds only the excluded client: it is not asked.
    expect(broadcast).toMatchObject({ delivered: true, clientCount: 2, instanceCount: 2 });
    await onEach[second]!.waitForType('notice');
    await onEach[third]!.waitForType('notice');
    expect(onEach[first]!.ofType('only_you')).toEqual([]);
    expect(onEach[first]!.ofType('notice')).toEqual([]);
  });

  it('tells the watchers of a simulation on every gateway that it was stopped, and who stopped it', async () => {
    const bea = await aUser(http, gw(first).http, 'bea');
    const project = await jsonRequest(http, 'POST', `${gw(first).http}/projects`, { token: bea.token, body: { name: 'Watched' } });
    const started = await jsonRequest(http, 'POST', `${gw(first).http}/simulations`, {
      token: bea.token,
      body: { project_id: project.body.project_id, duration_seconds: 600 },
    });
    const simulationId = String(started.body.simulation_id);
    const watchers = gateways.map((gateway) => open(gateway, `/simulation/stream?simulation_id=${simulationId}`, bea));
    for (const watcher of watchers) await watcher.waitForType('simulation_status');
    await listed(gw(second), { subscription: `simulation:${simulationId}` }, 3, 'the three watchers in the directory');

    const stopped = await jsonRequest(http, 'POST', `${gw(second).http}/simulations/${simulationId}/stop`, {
      token: bea.token,
      body: { reason: 'seen enough' },
    });
    expect(stopped.status).toBe(200);

    for (const watcher of watchers) {
      const [message] = await watcher.waitForType('simulation_stopped');
      expect(message).toMatchObject({
        source_service: 'simulation',
        payload: { simulation_id: simulationId, status: 'stopped', stopped_by: bea.userId, reason: 'seen enough' },
      });
      // Told before the end of the stream closes the socket.
      const [completed] = await watcher.waitForType('simulation_completed');
      expect(watcher.received.indexOf(message!)).toBeLessThan(watcher.received.indexOf(completed!));
    }
  });

  it('tells the collaborators of a deleted project on every gateway', async () => {
    const cyd = await aUser(http, gw(first).http, 'cyd');
    const dan = await aUser(http, gw(first).http, 'dan');
    const project = await jsonRequest(http, 'POST', `${gw(first).http}/projects`, { token: cyd.token, body: { name: 'Shared' } });
    const projectId = String(project.body.project_id);
    const shared = await jsonRequest(http, 'POST', `${gw(first).http}/projects/${projectId}/share`, {
      token: cyd.token,
      body: { target_email: dan.email, role: 'viewer' },
    });
    expect(shared.status).toBeLessThan(300);
    const dans = [open(gw(first), '/events', dan), open(gw(third), '/events', dan)];
    for (const socket of dans) await socket.waitForType('connected');
    await listed(gw(second), { userId: dan.userId }, 2, "dan's sockets in the directory");

    expect((await jsonRequest(http, 'DELETE', `${gw(second).http}/projects/${projectId}`, { token: cyd.token })).status).toBeLessThan(300);

    for (const socket of dans) {
      const [message] = await socket.waitForType('project_deleted');
      expect(message).toMatchObject({
        source_service: 'project',
        payload: { project_id: projectId, name: 'Shared', actor_id: cyd.userId },
      });
    }
  });

  it("closes the user's sockets on all three gateways at logout, telling them why, and no other session's", async () => {
    const eve = await aUser(http, gw(first).http, 'eve');
    const login = await jsonRequest(http, 'POST', `${gw(second).http}/auth/login`, {
      body: { email: eve.email, password: 'correct horse battery' },
    });
    const otherSession: TestUser = { ...eve, token: login.body.access_token, sessionId: login.body.session_id };
    const ended = [
      ...gateways.map((gateway) => open(gateway, '/events', eve)),
      open(gw(second), '/simulation/stream?simulation_id=none', eve),
    ];
    const kept = open(gw(first), '/events', otherSession);
    for (const socket of [...ended.slice(0, 3), kept]) await socket.waitForType('connected');
    // The watcher of an unknown simulation is refused on its own: only the three /events sockets and the other session stay.
    expect((await ended[3]!.closed).code).toBe(CloseCodes.notFound);
    await listed(gw(third), { userId: eve.userId }, 4, "eve's sockets in the directory");

    const logout = await jsonRequest(http, 'POST', `${gw(third).http}/auth/logout`, { token: eve.token });
    expect(logout.status).toBe(204);

    for (const socket of ended.slice(0, 3)) {
      expect((await socket.closed).code).toBe(CloseCodes.unauthenticated);
      expect(socket.ofType('session_ended')).toEqual([
        { type: 'session_ended', source_service: 'auth', payload: { reason: 'logout', session_id: eve.sessionId } },
      ]);
    }
    kept.ws.send(JSON.stringify({ type: 'ping' }));
    await kept.waitForType('pong');
    await listed(gw(first), { userId: eve.userId }, 1, 'only the other session left in the directory');
  });

  it('lets two users on different gateways edit one project together and converge', async () => {
    const gil = await aUser(http, gw(first).http, 'gil');
    const hal = await aUser(http, gw(first).http, 'hal');
    const created = await jsonRequest(http, 'POST', `${gw(first).http}/projects`, {
      token: gil.token,
      body: { name: 'Together', configuration: { nodes: '3', rps: '100' } },
    });
    expect(created.status).toBe(201);
    const projectId = String(created.body.project_id);
    const shared = await jsonRequest(http, 'POST', `${gw(first).http}/projects/${projectId}/share`, {
      token: gil.token,
      body: { target_user_id: hal.userId, role: 'editor' },
    });
    expect(shared.status).toBeLessThan(300);
    const collaborate = (gateway: Gateway, user: TestUser) => open(gateway, `/collaboration?project_id=${projectId}`, user);
    const stateOf = async (socket: TestSocket) => (await socket.waitForType('collaboration_state'))[0]!;
    const send = (socket: TestSocket, message: unknown) => socket.ws.send(JSON.stringify(message));

    // Presence: gil joins on the first gateway, then hal on the third; each sees the other.
    const a = collaborate(gw(first), gil);
    const stateA = await stateOf(a);
    const b = collaborate(gw(third), hal);
    const stateB = await stateOf(b);
    expect(stateB['clients']).toContainEqual({ client_id: stateA['client_id'], user_id: gil.userId, role: 'owner' });
    const halJoined = () => a.ofType('joined').find((entry) => entry['client_id'] === stateB['client_id']);
    await waitFor(() => halJoined() !== undefined, 10_000, "hal's joined entry at gil's socket on another gateway");
    expect(halJoined()).toMatchObject({ user_id: hal.userId, role: 'editor' });
    const from = collaboratorCopy(a).version;
    expect(collaboratorCopy(b).version).toBe(from);

    // Different entries at once: both kept.
    send(a, { type: 'edit', op_id: 'g-1', base_version: from, patch: [{ op: 'replace', path: '/configuration/nodes', value: '6' }] });
    send(b, { type: 'edit', op_id: 'h-1', base_version: from, patch: [{ op: 'replace', path: '/configuration/rps', value: '250' }] });
    const kept = [await answerTo(a, 'g-1'), await answerTo(b, 'h-1')];
    expect(kept.map((answer) => answer.type)).toEqual(['edit_applied', 'edit_applied']);
    expect(kept.map((answer) => answer['version'] as number).sort((x, y) => x - y)).toEqual([from + 1, from + 2]);
    await waitFor(() => [a, b].every((socket) => sawEdit(socket, 'g-1') && sawEdit(socket, 'h-1')), 10_000, 'both edits at both sockets');
    expect(collaboratorCopy(a)).toEqual({
      document: { name: 'Together', description: '', configuration: { nodes: '6', rps: '250' } },
      version: from + 2,
    });

    // The same entry at once, each from the version it holds: one wins, the other is told with the current state.
    const base = from + 2;
    send(a, { type: 'edit', op_id: 'g-2', base_version: base, patch: [{ op: 'replace', path: '/name', value: 'By gil' }] });
    send(b, { type: 'edit', op_id: 'h-2', base_version: base, patch: [{ op: 'replace', path: '/name', value: 'By hal' }] });
    const answers = [await answerTo(a, 'g-2'), await answerTo(b, 'h-2')];
    expect(answers.map((answer) => answer.type).sort()).toEqual(['edit_applied', 'edit_conflict']);
    const winner = answers.findIndex((answer) => answer.type === 'edit_applied');
    const [winnerOpId, winnerName] = winner === 0 ? ['g-2', 'By gil'] : ['h-2', 'By hal'];
    expect(answers[winner]).toMatchObject({ version: base + 1 });
    expect(answers[1 - winner]).toMatchObject({
      path: '/name',
      current_value: winnerName,
      changed_in: base + 1,
      version: base + 1,
      document: { name: winnerName, configuration: { nodes: '6', rps: '250' }, version: base + 1 },
    });
    await waitFor(() => [a, b].every((socket) => sawEdit(socket, winnerOpId)), 10_000, "the winner's edit at both sockets");

    const expected = { document: { name: winnerName, description: '', configuration: { nodes: '6', rps: '250' } }, version: base + 1 };
    expect(collaboratorCopy(a)).toEqual(expected);
    expect(collaboratorCopy(b)).toEqual(expected);
    const stored = await jsonRequest(http, 'GET', `${gw(second).http}/projects/${projectId}`, { token: hal.token });
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ name: winnerName, description: '', configuration: { nodes: '6', rps: '250' } });
  });

  it("forgets a killed gateway's clients once its expiry passes", async () => {
    const fay = await aUser(http, gw(first).http, 'fay');
    const doomed = open(gw(third), '/events', fay);
    const survivor = open(gw(second), '/events', fay);
    await doomed.waitForType('connected');
    await survivor.waitForType('connected');
    await listed(gw(first), { userId: fay.userId }, 2, "fay's sockets in the directory");

    await gw(third).process.kill();
    const killedAt = Date.now();

    const left = await listed(gw(first), { userId: fay.userId }, 1, "the killed gateway's client to expire");
    expect(left[0]).toMatchObject({ instanceId: 'gw-e2e-2' });
    // Gone by its expiry (plus room for a loaded machine), not by anything slower.
    expect(Date.now() - killedAt).toBeLessThan(TTL_MS + 8_000);
    const routed = await callUnary(
      gw(first).grpc.routeMessage.bind(gw(first).grpc),
      RouteMessageRequest.fromPartial({
        targetUserId: fay.userId,
        messageType: 'still_here',
        payload: Buffer.from('{}'),
        sourceService: 'test',
      }),
    );
    expect(routed).toMatchObject({ delivered: true, clientCount: 1, instanceCount: 2, unreachableInstances: [] });
    await survivor.waitForType('still_here');
  });
});
