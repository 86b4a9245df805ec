import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisConfigToEnv } from '../adapters/redis/redis-config.js';
import { CloseCodes } from '../adapters/websocket/close-codes.js';
import { connectSocket, type TestSocket } from '../contract-tests/gateway/ws-client.js';
import { delay, waitFor } from '../contract-tests/messaging/wait.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { findFreePorts } from '../test-support/free-ports.js';
import { startScript } from '../test-support/mesh-cli-process.js';
import { startMeshProcess, type MeshProcess } from '../test-support/mesh-process.js';
import { createThrowawayDatabase, type PostgresDatabase } from '../test-support/postgres-fixture.js';
import { startRedisNode, type RedisFixture } from '../test-support/redis-fixture.js';

const PASSWORD = 'correct horse battery';
const ADMIN_EMAIL = 'root@example.test';

/**
 * Administration across processes (docs/adr/0054, 0056): auth, project and simulation in one
 * process on PostgreSQL, two gateways in two more, all on one Redis. The first administrator comes
 * from `npm run admin -- create-admin` while the mesh runs; what an administrator does through one
 * gateway takes effect on the other at once.
 */
describe('administration across two gateways on Redis', () => {
  let redis: RedisFixture;
  let database: PostgresDatabase;
  const processes: MeshProcess[] = [];
  const sockets: TestSocket[] = [];
  const http2 = h2cAgent();
  let env: Record<string, string>;
  let gateways: { http: string; ws: string }[];
  let admin: { token: string; userId: string };

  const signUp = async (name: string): Promise<{ token: string; userId: string; email: string }> => {
    const email = `${name.toLowerCase()}@example.test`;
    const registered = await jsonRequest(http2, 'POST', `${gateways[0]!.http}/auth/register`, {
      body: { email, password: PASSWORD, name },
    });
    expect(registered.status).toBe(201);
    return { ...(await logIn(email)), email };
  };
  const logIn = async (email: string, password = PASSWORD) => {
    const login = await jsonRequest(http2, 'POST', `${gateways[1]!.http}/auth/login`, { body: { email, password } });
    expect(login.status).toBe(200);
    return { token: login.body.access_token as string, userId: login.body.user.id as string };
  };
  const eventsSocket = async (gateway: { ws: string }, token: string): Promise<TestSocket> => {
    const socket = connectSocket(`${gateway.ws}/events`, ['bearer', token]);
    sockets.push(socket);
    await socket.opened;
    await socket.waitForType('connected');
    return socket;
  };

  beforeAll(async () => {
    [redis, database] = await Promise.all([startRedisNode(), createThrowawayDatabase('administration')]);
    const [authG, authH, projG, projH, simG, simH, gwAG, gwAH, gwBG, gwBH] = (await findFreePorts(10)).map(String) as string[];
    env = {
      ...redisConfigToEnv(redis.config),
      MESH_STORAGE: 'sql',
      DATABASE_URL: database.url,
      AUTH_GRPC_PORT: authG!,
      AUTH_HTTP_PORT: authH!,
      PROJECT_GRPC_PORT: projG!,
      PROJECT_HTTP_PORT: projH!,
      SIMULATION_GRPC_PORT: simG!,
      SIMULATION_HTTP_PORT: simH!,
      AUTH_HTTP_TARGET: `127.0.0.1:${authH}`,
      PROJECT_HTTP_TARGET: `127.0.0.1:${projH}`,
      SIMULATION_UPDATES_PER_SECOND: '20',
    };
    const gateway = (grpc: string, http: string, id: string) => ({
      ...env,
      GATEWAY_GRPC_PORT: grpc,
      GATEWAY_HTTP_PORT: http,
      GATEWAY_INSTANCE_ID: id,
    });
    processes.push(
      await startMeshProcess(['auth', 'project', 'simulation'], { ...env, GATEWAY_GRPC_PORT: gwAG!, GATEWAY_HTTP_PORT: gwAH! }),
    );
    processes.push(
      ...(await Promise.all([
        startMeshProcess(['api-gateway'], gateway(gwAG!, gwAH!, 'gateway-a')),
        startMeshProcess(['api-gateway'], gateway(gwBG!, gwBH!, 'gateway-b')),
      ])),
    );
    gateways = [gwAH!, gwBH!].map((port) => ({ http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}` }));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close()));
    await http2.close();
    await Promise.all(processes.map((process) => process.kill()));
    await redis?.stop();
    await database?.drop();
  });

  it('makes the first administrator from the command line while the mesh runs, and signs them in', async () => {
    const script = startScript('composition/admin-cli.ts', ['create-admin', ADMIN_EMAIL], {
      env: { MESH_STORAGE: 'sql', DATABASE_URL: database.url },
    });

    expect(await script.exit(undefined, 60_000)).toBe(0);
    expect(script.stdout()).toContain(`Created the administrator ${ADMIN_EMAIL}`);
    const password = /password, shown only now: (\S+)/.exec(script.stdout())?.[1];
    expect(password).toBeDefined();
    admin = await logIn(ADMIN_EMAIL, password);

    const users = await jsonRequest(http2, 'GET', `${gateways[0]!.http}/admin/users`, { token: admin.token });
    expect(users.status).toBe(200);
    expect(users.body.users).toEqual([expect.objectContaining({ email: ADMIN_EMAIL, roles: ['user', 'admin'], is_active: true })]);
  }, 90_000);

  it('deactivates a user through one gateway: their sockets on both gateways close at once, their tokens are refused on both', async () => {
    const ada = await signUp('Ada');
    const [onA, onB] = [await eventsSocket(gateways[0]!, ada.token), await eventsSocket(gateways[1]!, ada.token)];
    const before = await Promise.all(
      gateways.map((gateway) => jsonRequest(http2, 'GET', `${gateway.http}/auth/profile`, { token: ada.token })),
    );
    expect(before.map((answer) => answer.status)).toEqual([200, 200]);
    const refusedToAda = await jsonRequest(http2, 'GET', `${gateways[0]!.http}/admin/users`, { token: ada.token });
    expect([refusedToAda.status, refusedToAda.body.type]).toEqual([403, 'urn:meshwork:problem:admin_required']);

    const started = Date.now();
    const deactivated = await jsonRequest(http2, 'POST', `${gateways[0]!.http}/admin/users/${ada.userId}/deactivate`, {
      token: admin.token,
    });
    const answeredMs = Date.now() - started;
    // The serving gateway refuses the token from the answer on; the other as soon as auth's event reaches it (outbox, ms).
    const onServing = await jsonRequest(http2, 'GET', `${gateways[0]!.http}/projects`, { token: ada.token });
    let refusedElsewhereMs = Number.NaN;
    await waitFor(
      async () => {
        const other = await jsonRequest(http2, 'GET', `${gateways[1]!.http}/projects`, { token: ada.token });
        if (other.status === 401) refusedElsewhereMs = Date.now() - started;
        return other.status === 401;
      },
      2_000,
      'the other gateway to refuse the token',
    );
    const closures = await Promise.all([onA.closed, onB.closed]);
    const closedMs = Date.now() - started;

    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toMatchObject({ user: { user_id: ada.userId, is_active: false }, sessions_revoked: 1 });
    expect(onServing.status).toBe(401);
    expect(closures.map((closure) => closure.code)).toEqual([CloseCodes.unauthenticated, CloseCodes.unauthenticated]);
    console.log(
      `[administration] deactivation answered in ${answeredMs} ms; the other gateway refused the token ${refusedElsewhereMs} ms ` +
        `after the request; both sockets closed within ${closedMs} ms`,
    );
    expect(closedMs).toBeLessThan(2_000);
    const login = await jsonRequest(http2, 'POST', `${gateways[1]!.http}/auth/login`, { body: { email: ada.email, password: PASSWORD } });
    expect([login.status, login.body.type]).toEqual([403, 'urn:meshwork:problem:account_disabled']);
  }, 60_000);

  it('announces a maintenance window to every client on both gateways; new runs get 503 with Retry-After, a running one finishes', async () => {
    const bob = await signUp('Bob');
    const [onA, onB] = [await eventsSocket(gateways[0]!, bob.token), await eventsSocket(gateways[1]!, bob.token)];
    const project = await jsonRequest(http2, 'POST', `${gateways[0]!.http}/projects`, {
      token: bob.token,
      body: { name: 'Before the window' },
    });
    const running = await jsonRequest(http2, 'POST', `${gateways[0]!.http}/simulations`, {
      token: bob.token,
      body: { project_id: project.body.project_id, duration_seconds: 4 },
    });
    expect(running.status).toBe(201);

    const endsAt = Date.now() + 30_000;
    const published = await jsonRequest(http2, 'POST', `${gateways[1]!.http}/admin/announcements`, {
      token: admin.token,
      body: { kind: 'maintenance', message: 'Database upgrade', ends_at: endsAt },
    });
    expect(published.status).toBe(201);
    const announced = (socket: TestSocket) => socket.ofType('event').find((message) => message.channel === 'system:announcements');
    await waitFor(() => [onA, onB].every((socket) => announced(socket) !== undefined), 10_000, 'the announcement on both gateways');
    for (const socket of [onA, onB]) {
      expect(announced(socket)).toMatchObject({
        event: { type: 'announcement', kind: 'maintenance', message: 'Database upgrade', ends_at: endsAt },
      });
    }

    // The simulation service heard it too: every gateway's new runs are turned away until the window ends.
    const refusals = await Promise.all(
      gateways.map((gateway) =>
        jsonRequest(http2, 'POST', `${gateway.http}/simulations`, {
          token: bob.token,
          body: { project_id: project.body.project_id, duration_seconds: 4 },
        }),
      ),
    );
    for (const refused of refusals) {
      expect(refused.status).toBe(503);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body.type).toBe('urn:meshwork:problem:maintenance_window');
      expect(refused.body.detail).toContain('Database upgrade');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(25);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(30);
    }
    // Polled at 5 per second: the 10 ms poll of waitFor would spend Bob's 50 requests/s and get 429s.
    await waitFor(
      async () =>
        (await jsonRequest(http2, 'GET', `${gateways[1]!.http}/simulations/${running.body.simulation_id}`, { token: bob.token })).body
          .status === 'completed' || (await delay(200), false),
      20_000,
      'the run started before the window to complete',
    );
    const current = await jsonRequest(http2, 'GET', `${gateways[1]!.http}/announcements`, { token: bob.token });
    expect(current.body.announcements).toEqual([expect.objectContaining({ kind: 'maintenance', message: 'Database upgrade' })]);
  }, 60_000);

  it('keeps who did what, when, to whom in the audit log, newest first, for administrators only', async () => {
    const audit = await jsonRequest(http2, 'GET', `${gateways[1]!.http}/admin/audit`, { token: admin.token });

    expect(audit.status).toBe(200);
    expect(audit.body.entries.map((entry: { action: string; actor_id: string }) => [entry.action, entry.actor_id])).toEqual([
      ['publish_announcement', admin.userId],
      ['deactivate_user', admin.userId],
      ['create_admin', 'command-line'],
    ]);
    expect(audit.body.entries[1]).toMatchObject({ detail: { actor_email: ADMIN_EMAIL, target_email: 'ada@example.test' } });
  });
});
