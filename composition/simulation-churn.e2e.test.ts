import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Streams } from '../core/messaging/channels.js';
import { GatewayServiceClient } from '../adapters/grpc/generated/gateway.js';
import { connectSocket, type TestSocket } from '../contract-tests/gateway/ws-client.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { callUnary } from '../contract-tests/support/grpc-unary.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { UNTHROTTLED_GATEWAY } from '../test-support/mesh-process.js';
import { aUser, type TestUser } from '../test-support/gateway-users.js';
import { startTestMesh } from '../test-support/test-mesh.js';
import type { RunningMesh } from './launcher.js';

const SIMULATIONS = 50;
const AT_ONCE = 5;
const GRACE_MS = 300;

/**
 * What a simulation, its watchers and an /events socket leave behind once they are over: nothing.
 * Structural rather than RSS (noisy on a shared machine): the gateway's clients and the stream
 * store's simulation streams are back to none (docs/adr/0039).
 */
describe('a churn of simulations and sockets', () => {
  let mesh: RunningMesh;
  let base: string;
  let wsBase: string;
  let gateway: GatewayServiceClient;
  let ada: TestUser;
  let projectId: string;
  const http = h2cAgent();

  const connectedClients = async (): Promise<number> => {
    const listed = await callUnary(gateway.getConnectedClients.bind(gateway), {
      userId: ada.userId,
      subscription: '',
      callingService: 'test',
      pageSize: 0,
      pageToken: '',
    });
    return listed.totalCount;
  };

  beforeAll(async () => {
    mesh = await startTestMesh({ ...UNTHROTTLED_GATEWAY, SIMULATION_FINISHED_STREAM_GRACE_MS: String(GRACE_MS) });
    const port = mesh.services.get('api-gateway')!.http.port;
    base = `http://127.0.0.1:${port}`;
    wsBase = `ws://127.0.0.1:${port}`;
    gateway = new GatewayServiceClient(`127.0.0.1:${mesh.services.get('api-gateway')!.grpc.port}`, credentials.createInsecure());
    // On a loaded machine the first calls after start may meet a service not yet in rotation (503).
    for (let attempt = 1; !ada; attempt += 1) {
      ada = await aUser(http, base, 'churn').catch(async (error: unknown) => {
        if (attempt === 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        return undefined as unknown as TestUser;
      });
    }
    const project = await jsonRequest(http, 'POST', `${base}/projects`, { token: ada.token, body: { name: 'churn' } });
    projectId = project.body.project_id as string;
  }, 60_000);

  afterAll(async () => {
    gateway?.close();
    await http.close();
    await mesh?.stop();
  });

  it('leaves no gateway client and no simulation stream behind', async () => {
    const ids: string[] = [];
    for (let batch = 0; batch < SIMULATIONS / AT_ONCE; batch += 1) {
      const started = await Promise.all(
        Array.from({ length: AT_ONCE }, () =>
          jsonRequest(http, 'POST', `${base}/simulations`, { token: ada.token, body: { project_id: projectId, duration_seconds: 600 } }),
        ),
      );
      const batchIds = started.map((response) => {
        expect(response.status).toBe(201);
        return response.body.simulation_id as string;
      });
      ids.push(...batchIds);
      const sockets: TestSocket[] = [
        ...batchIds.map((id) => connectSocket(`${wsBase}/simulation/stream?simulation_id=${id}`, ['bearer', ada.token])),
        connectSocket(`${wsBase}/events`, ['bearer', ada.token]),
      ];
      await Promise.all(sockets.slice(0, AT_ONCE).map((socket) => socket.waitForType('simulation_metrics')));
      await sockets.at(-1)!.waitForType('connected');
      if (batch === 0) expect(await connectedClients()).toBe(AT_ONCE + 1);
      for (const id of batchIds) {
        const stopped = await jsonRequest(http, 'POST', `${base}/simulations/${id}/stop`, { token: ada.token, body: {} });
        expect(stopped.status).toBe(200);
      }
      await Promise.all(sockets.map((socket) => socket.close()));
    }

    await waitFor(async () => (await connectedClients()) === 0, 10_000, 'no connected client');
    const remaining = async () =>
      (await Promise.all(ids.map((id) => mesh.messaging.streams.length(Streams.simulation(id))))).filter((n) => n > 0);
    await waitFor(async () => (await remaining()).length === 0, 15_000, 'every finished simulation stream removed');
    expect(await remaining()).toEqual([]);
  }, 60_000);
});
