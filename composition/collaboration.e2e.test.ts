import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisConfigToEnv } from '../adapters/redis/redis-config.js';
import { connectSocket, UpgradeRefused, type Received, type TestSocket } from '../contract-tests/gateway/ws-client.js';
import { delay, waitFor } from '../contract-tests/messaging/wait.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { Streams } from '../core/messaging/channels.js';
import { answerTo, collaboratorCopy, sawEdit } from '../test-support/collaboration-copy.js';
import { findFreePorts } from '../test-support/free-ports.js';
import { aUser, type TestUser } from '../test-support/gateway-users.js';
import { startMeshProcess, UNTHROTTLED_GATEWAY, type MeshProcess } from '../test-support/mesh-process.js';
import { openRedisStreamStore } from '../test-support/redis-messaging.js';
import { startRedisNode, type RedisFixture } from '../test-support/redis-fixture.js';

/**
 * Collaboration end to end (docs/adr/0050, issue 16): the gateway and the project service as separate
 * processes on a real Redis; an owner and an editor edit one project from two real sockets.
 */
describe('collaboration over WebSocket, gateway and project in separate processes on Redis', () => {
  let redis: RedisFixture;
  const processes: MeshProcess[] = [];
  const http = h2cAgent();
  const sockets: TestSocket[] = [];
  let gateway: MeshProcess;
  let base: string;
  let wsBase: string;
  let owner: TestUser;
  let editor: TestUser;
  let viewer: TestUser;
  let stranger: TestUser;
  let projectId: string;

  const open = (user: TestUser, query = '') => {
    const socket = connectSocket(`${wsBase}/collaboration?project_id=${projectId}${query}`, ['bearer', user.token]);
    sockets.push(socket);
    return socket;
  };
  const state = async (socket: TestSocket) => (await socket.waitForType('collaboration_state'))[0]!;
  const versionOf = (message: Received) => (message['document'] as { version: number }).version;
  const send = (socket: TestSocket, message: unknown) => socket.ws.send(JSON.stringify(message));
  beforeAll(async () => {
    redis = await startRedisNode();
    const [projectGrpc, projectHttp, authGrpc, authHttp, simulationGrpc, simulationHttp, gatewayGrpc, gatewayHttp] = await findFreePorts(8);
    const mesh = { ...redisConfigToEnv(redis.config), MESH_STORAGE: 'memory', COLLABORATION_PRESENCE_TTL_MS: '1500' };
    const [project, front] = await Promise.all([
      startMeshProcess(['project'], { ...mesh, PROJECT_GRPC_PORT: String(projectGrpc), PROJECT_HTTP_PORT: String(projectHttp) }),
      startMeshProcess(['auth', 'simulation', 'api-gateway'], {
        ...mesh,
        AUTH_GRPC_PORT: String(authGrpc),
        AUTH_HTTP_PORT: String(authHttp),
        SIMULATION_GRPC_PORT: String(simulationGrpc),
        SIMULATION_HTTP_PORT: String(simulationHttp),
        GATEWAY_GRPC_PORT: String(gatewayGrpc),
        GATEWAY_HTTP_PORT: String(gatewayHttp),
        ...UNTHROTTLED_GATEWAY,
      }),
    ]);
    processes.push(project, front);
    gateway = front;
    base = `http://127.0.0.1:${gatewayHttp}`;
    wsBase = `ws://127.0.0.1:${gatewayHttp}`;
    [owner, editor, viewer, stranger] = [
      await aUser(http, base, 'owner'),
      await aUser(http, base, 'editor'),
      await aUser(http, base, 'viewer'),
      await aUser(http, base, 'stranger'),
    ];
    await waitFor(
      async () => (await jsonRequest(http, 'GET', `${base}/projects`, { token: owner.token })).status === 200,
      20_000,
      'the gateway to reach the project service',
    );
    const created = await jsonRequest(http, 'POST', `${base}/projects`, {
      token: owner.token,
      body: { name: 'Shop', configuration: { nodes: '3', rps: '100' } },
    });
    expect(created.status).toBe(201);
    projectId = created.body.project_id as string;
    for (const [user, role] of [
      [editor, 'editor'],
      [viewer, 'viewer'],
    ] as const) {
      const shared = await jsonRequest(http, 'POST', `${base}/projects/${projectId}/share`, {
        token: owner.token,
        body: { target_user_id: user.userId, role },
      });
      expect(shared.status).toBeLessThan(300);
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close()));
    await Promise.all(processes.map((process) => process.kill()));
    await http.close();
    await redis?.stop();
  }, 60_000);

  it('shows each collaborator the state first, then who joins', async () => {
    const a = open(owner);
    const first = await state(a);
    expect(first).toMatchObject({
      project_id: projectId,
      user_id: owner.userId,
      role: 'owner',
      stream_key: Streams.collaboration(projectId),
      document: { name: 'Shop', configuration: { nodes: '3', rps: '100' } },
    });
    const b = open(editor);
    expect(await state(b)).toMatchObject({ role: 'editor' });
    // The owner's own join may reach its socket first: wait for the editor's.
    const editorJoined = () => a.ofType('joined').find((entry) => entry['user_id'] === editor.userId);
    await waitFor(() => editorJoined() !== undefined, 10_000, "the editor's joined entry");
    expect(editorJoined()).toMatchObject({ role: 'editor', id: expect.stringMatching(/^\d+-\d+$/) });
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps both changes when owner and editor change different entries at once, and both converge', async () => {
    const [a, b] = [open(owner), open(editor)];
    const [stateA, stateB] = [await state(a), await state(b)];
    const from = versionOf(stateA);
    expect(versionOf(stateB)).toBe(from);

    send(a, { type: 'edit', op_id: 'a-1', base_version: from, patch: [{ op: 'replace', path: '/configuration/nodes', value: '6' }] });
    send(b, { type: 'edit', op_id: 'b-1', base_version: from, patch: [{ op: 'replace', path: '/configuration/rps', value: '250' }] });

    const answers = [await answerTo(a, 'a-1'), await answerTo(b, 'b-1')];
    expect(answers.map((answer) => answer.type)).toEqual(['edit_applied', 'edit_applied']);
    expect(answers.some((answer) => answer['rebased'] === true)).toBe(true);
    // By op_id: a new socket may also get a little of what came before it (the sharing's own entries).
    await waitFor(() => [a, b].every((socket) => sawEdit(socket, 'a-1') && sawEdit(socket, 'b-1')), 10_000, 'both edits at both sockets');
    expect(collaboratorCopy(a)).toEqual(collaboratorCopy(b));
    expect(collaboratorCopy(a).document.configuration).toEqual({ nodes: '6', rps: '250' });
    const stored = await jsonRequest(http, 'GET', `${base}/projects/${projectId}`, { token: owner.token });
    expect(stored.body.configuration).toEqual({ nodes: '6', rps: '250' });
    await Promise.all([a.close(), b.close()]);
  });

  it('lets one of two edits of the same entry win and tells the other, with the current value', async () => {
    const [a, b] = [open(owner), open(editor)];
    const base = versionOf(await state(a));
    await state(b);

    send(a, { type: 'edit', op_id: 'a-2', base_version: base, patch: [{ op: 'replace', path: '/name', value: 'Shop A' }] });
    const first = await answerTo(a, 'a-2');
    send(b, { type: 'edit', op_id: 'b-2', base_version: base, patch: [{ op: 'replace', path: '/name', value: 'Shop B' }] });
    const second = await answerTo(b, 'b-2');

    expect(first).toMatchObject({ type: 'edit_applied', version: base + 1 });
    expect(second).toMatchObject({
      type: 'edit_conflict',
      path: '/name',
      current_value: 'Shop A',
      version: base + 1,
      document: { name: 'Shop A', version: base + 1 },
    });
    await waitFor(() => b.ofType('edit').some((edit) => edit['op_id'] === 'a-2'), 10_000, "the winner's edit at the loser");
    expect(collaboratorCopy(a).document.name).toBe('Shop A');
    expect(collaboratorCopy(b).document.name).toBe('Shop A');
    await Promise.all([a.close(), b.close()]);
  });

  it('lets a viewer watch but not edit (a clear error), and refuses a stranger (4404)', async () => {
    const v = open(viewer);
    const base = versionOf(await state(v));
    send(v, { type: 'edit', op_id: 'v-1', base_version: base, patch: [{ op: 'replace', path: '/name', value: 'Mine' }] });

    const refused = await answerTo(v, 'v-1');
    expect(refused).toMatchObject({ type: 'edit_rejected', code: 'action_not_allowed' });
    expect(refused['message']).toMatch(/viewer.*watch/);

    const s = open(stranger);
    await s.opened.catch((error: unknown) => expect(error).toBeInstanceOf(UpgradeRefused));
    expect((await s.closed).code).toBe(4404);
    await v.close();
  });

  it('resumes a collaborator that dropped from the last entry it saw: exactly the entries it missed, in order', async () => {
    const watcher = open(viewer);
    await state(watcher);
    const a = open(owner);
    const base = versionOf(await state(a));
    send(a, { type: 'edit', op_id: 'r-0', base_version: base, patch: [{ op: 'add', path: '/configuration/step', value: '0' }] });
    await waitFor(() => watcher.ofType('edit').some((edit) => edit['op_id'] === 'r-0'), 10_000, 'the first edit at the watcher');
    const lastId = watcher.received.filter((message) => typeof message['id'] === 'string').at(-1)!['id'] as string;
    await watcher.close();

    for (let n = 1; n <= 10; n += 1) {
      send(a, {
        type: 'edit',
        op_id: `r-${n}`,
        base_version: base + n,
        patch: [{ op: 'replace', path: '/configuration/step', value: String(n) }],
      });
      expect(await answerTo(a, `r-${n}`)).toMatchObject({ type: 'edit_applied' });
    }
    const back = open(viewer, `&last_id=${lastId}`);
    await state(back);
    await waitFor(() => back.ofType('edit').length >= 10, 10_000, 'the ten missed edits');
    await delay(200);

    expect(back.ofType('edit').map((edit) => edit['op_id'])).toEqual(Array.from({ length: 10 }, (_, i) => `r-${i + 1}`));
    expect(collaboratorCopy(back).document.configuration['step']).toBe('10');
    await Promise.all([a.close(), back.close()]);
  });

  it('takes the clients of a gateway that died out of the session after the presence TTL (left, reason timeout)', async () => {
    const streams = openRedisStreamStore(redis.config, 'collaboration-e2e');
    try {
      const c = open(editor);
      const { client_id: clientId } = await state(c);
      await gateway.kill();
      await waitFor(
        async () =>
          (await streams.adapter.range(Streams.collaboration(projectId), '-', '+')).some(
            (entry) => entry.fields['type'] === 'left' && entry.fields['client_id'] === clientId && entry.fields['reason'] === 'timeout',
          ),
        15_000,
        'the dead gateway client to time out',
      );
    } finally {
      await streams.close();
    }
  });
});
