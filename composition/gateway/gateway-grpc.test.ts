import { credentials, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RouteMessageRequest,
  BroadcastMessageRequest,
  UnregisterClientRequest,
  GatewayServiceClient,
} from '../../adapters/grpc/generated/gateway.js';
import { meshProtoPaths } from '../../test-support/proto-files.js';
import { assertEveryRpcRegistered } from '../../contract-tests/grpc/assert-every-rpc-registered.js';
import { callUnary, callUnaryError } from '../../contract-tests/support/grpc-unary.js';
import { h2cAgent } from '../../contract-tests/support/http2-client.js';
import { connectSocket, type TestSocket } from '../../contract-tests/gateway/ws-client.js';
import type { RunningService } from '../service-server.js';
import { startGatewayTestBed, type GatewayTestBed } from '../../test-support/gateway-test-bed.js';
import { aUser, type TestUser } from '../../test-support/gateway-users.js';

/** Four services start and stop here; a loaded 2-core machine needs more than the default hook timeout. */
const STARTUP_TIMEOUT_MS = 90_000;
describe('gateway.GatewayService over real gRPC', () => {
  let bed: GatewayTestBed;
  let gateway: RunningService;
  let client: GatewayServiceClient;
  let ada: TestUser;
  let base: string;
  const http = h2cAgent();
  const sockets: TestSocket[] = [];

  const eventsSocket = async (user: TestUser): Promise<TestSocket> => {
    const socket = connectSocket(`ws://127.0.0.1:${gateway.http.port}/events`, ['bearer', user.token]);
    sockets.push(socket);
    await socket.waitForType('connected');
    return socket;
  };

  beforeAll(async () => {
    bed = await startGatewayTestBed({ backends: ['auth'] });
    gateway = await bed.startGateway({ instanceId: 'gw-grpc' });
    base = `http://127.0.0.1:${gateway.http.port}`;
    client = new GatewayServiceClient(`127.0.0.1:${gateway.grpc.port}`, credentials.createInsecure());
    ada = await aUser(http, base, 'ada');
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close()));
    client?.close();
    await http.close();
    await bed?.stop();
  }, STARTUP_TIMEOUT_MS);

  it('serves every rpc of gateway.proto', async () => {
    const gatewayProto = meshProtoPaths().filter((path) => path.endsWith('gateway.proto'));
    const probes = await assertEveryRpcRegistered(`127.0.0.1:${gateway.grpc.port}`, gatewayProto);
    expect(probes).toHaveLength(7);
  });

  it('routes a message to the WebSocket of the user on /events and reports the count', async () => {
    const socket = await eventsSocket(ada);

    const answer = await callUnary(
      client.routeMessage.bind(client),
      RouteMessageRequest.fromPartial({
        targetUserId: ada.userId,
        messageType: 'build_finished',
        payload: Buffer.from(JSON.stringify({ build: 42 })),
        sourceService: 'ci',
      }),
    );

    expect(answer).toMatchObject({ delivered: true, clientCount: 1 });
    const [message] = await socket.waitForType('build_finished');
    expect(message).toEqual({ type: 'build_finished', source_service: 'ci', payload: { build: 42 } });
  });

  it('answers delivered: false for a user without a socket here', async () => {
    const answer = await callUnary(
      client.routeMessage.bind(client),
      RouteMessageRequest.fromPartial({
        targetUserId: 'nobody',
        messageType: 'x',
        payload: Buffer.alloc(0),
        sourceService: 'ci',
      }),
    );
    expect(answer).toMatchObject({ delivered: false, clientCount: 0 });
  });

  it('refuses a payload that is not JSON with INVALID_ARGUMENT', async () => {
    const error = await callUnaryError(
      client.routeMessage.bind(client),
      RouteMessageRequest.fromPartial({
        targetUserId: ada.userId,
        messageType: 'x',
        payload: Buffer.from('{not json'),
        sourceService: 'ci',
      }),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
  });

  it('broadcasts to the subscribers of a channel', async () => {
    const socket = await eventsSocket(ada);
    const answer = await callUnary(
      client.broadcastMessage.bind(client),
      BroadcastMessageRequest.fromPartial({
        channel: 'events',
        messageType: 'maintenance',
        payload: Buffer.from('"at noon"'),
        sourceService: 'ops',
        excludeClientIds: [],
      }),
    );
    expect(answer.clientCount).toBeGreaterThanOrEqual(1);
    expect(await socket.waitForType('maintenance')).toContainEqual({ type: 'maintenance', source_service: 'ops', payload: 'at noon' });
  });

  it('registers, describes, lists and unregisters a client session', async () => {
    const registered = await callUnary(client.registerClient.bind(client), {
      clientId: 'mobile-1',
      userId: 'u-mobile',
      subscriptions: ['events'],
      connectionType: 'http',
    });
    expect(registered).toMatchObject({ success: true, sessionId: expect.any(String) });

    const info = await callUnary(client.getClientInfo.bind(client), { clientId: 'mobile-1', callingService: 'test' });
    expect(info.client).toMatchObject({ clientId: 'mobile-1', userId: 'u-mobile', instanceId: 'gw-grpc', connectionType: 'http' });

    const listed = await callUnary(client.getConnectedClients.bind(client), {
      userId: 'u-mobile',
      subscription: '',
      callingService: 'test',
      pageSize: 10,
      pageToken: '',
    });
    expect(listed).toMatchObject({
      totalCount: 1,
      nextPageToken: '',
      clients: [{ clientId: 'mobile-1', sessionId: registered.sessionId }],
    });

    const removed = await callUnary(
      client.unregisterClient.bind(client),
      UnregisterClientRequest.fromPartial({
        clientId: 'mobile-1',
        sessionId: registered.sessionId,
        reason: 'logout',
        callingService: 'test',
      }),
    );
    expect(removed).toMatchObject({ success: true, reason: 'logout' });
    const gone = await callUnaryError(client.getClientInfo.bind(client), { clientId: 'mobile-1', callingService: 'test' });
    expect(gone.code).toBe(status.NOT_FOUND);
  });

  it('lists the WebSocket clients it holds', async () => {
    await eventsSocket(ada);
    const listed = await callUnary(client.getConnectedClients.bind(client), {
      userId: ada.userId,
      subscription: '',
      callingService: 'test',
      pageSize: 0,
      pageToken: '',
    });
    expect(listed.clients.length).toBeGreaterThan(0);
    expect(listed.clients[0]).toMatchObject({ connectionType: 'websocket', sessionId: ada.sessionId, instanceId: 'gw-grpc' });
  });

  it('answers its own HealthCheck with the instance and its clients', async () => {
    const health = await callUnary(client.healthCheck.bind(client), { callingService: 'test' });
    expect(health).toMatchObject({ status: 'SERVING', service: 'api-gateway', details: { instance_id: 'gw-grpc' } });
    expect(Number(health.details['websockets'])).toBeGreaterThanOrEqual(0);
  });
});
