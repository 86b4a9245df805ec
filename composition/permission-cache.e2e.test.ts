import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ProjectServiceClient } from '../adapters/grpc/generated/project.js';
import { SimulationServiceClient } from '../adapters/grpc/generated/simulation.js';
import { redisConfigToEnv } from '../adapters/redis/redis-config.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { callUnary } from '../contract-tests/support/grpc-unary.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { findFreePorts } from '../test-support/free-ports.js';
import { callsPerInstance, readMeshReport } from '../test-support/mesh-admin.js';
import { startScript } from '../test-support/mesh-cli-process.js';
import { startMeshProcess, type MeshProcess } from '../test-support/mesh-process.js';
import { createThrowawayDatabase, type PostgresDatabase } from '../test-support/postgres-fixture.js';
import { startRedisNode, type RedisFixture } from '../test-support/redis-fixture.js';

const PASSWORD = 'correct horse battery';
const ADMIN_EMAIL = 'root@permission-cache.test';

/**
 * The kept CheckPermission grants (docs/adr/0070), with real processes on one Redis and one
 * PostgreSQL: auth and a gateway in one process, two project instances and a simulation instance in three more.
 * The grants are kept far longer than the test runs (PERMISSION_CACHE_TTL_MS), so only auth's
 * events (or a lost bus) can make an instance ask auth again.
 */
describe('permission grants kept by two project instances, evicted by auth events', () => {
  let redis: RedisFixture;
  let database: PostgresDatabase;
  const processes: MeshProcess[] = [];
  const http2 = h2cAgent();
  let gateway: string;
  const instances: { client: ProjectServiceClient; adminPort: number }[] = [];
  let admin: string;
  let user: { id: string; token: string };
  let projectId: string;
  let simulation: { client: SimulationServiceClient; adminPort: number };

  const authCallsAt = async (adminPort: number): Promise<number> =>
    callsPerInstance(await readMeshReport(adminPort), 'auth').reduce((sum, { calls }) => sum + calls, 0);
  const authCalls = (instance: number): Promise<number> => authCallsAt(instances[instance]!.adminPort);
  /** Auth calls the simulation instance made for one StartSimulation, and its gRPC status (0: started). */
  const startCountingAuth = async (): Promise<{ authCalls: number; code: number }> => {
    const before = await authCallsAt(simulation.adminPort);
    const code = await callUnary(simulation.client.startSimulation.bind(simulation.client), {
      userId: user.id,
      projectId,
      configuration: {},
      components: [],
      durationSeconds: 1,
      enableRealTime: false,
    }).then(
      () => status.OK,
      (error: ServiceError) => error.code,
    );
    return { authCalls: (await authCallsAt(simulation.adminPort)) - before, code };
  };
  const update = (instance: number, name: string) => {
    const client = instances[instance]!.client;
    return callUnary(client.updateProject.bind(client), {
      projectId,
      userId: user.id,
      name,
      configuration: {},
      removedConfigurationKeys: [],
      expectedUpdatedAt: 0,
    });
  };
  /** Auth calls the instance made for one update, and the update's gRPC status (0: done). */
  const updateCountingAuth = async (instance: number, name: string): Promise<{ authCalls: number; code: number }> => {
    const before = await authCalls(instance);
    const code = await update(instance, name).then(
      () => status.OK,
      (error: ServiceError) => error.code,
    );
    return { authCalls: (await authCalls(instance)) - before, code };
  };
  const logIn = async (email: string, password = PASSWORD) => {
    const login = await jsonRequest(http2, 'POST', `${gateway}/auth/login`, { body: { email, password } });
    expect(login.status).toBe(200);
    return { token: login.body.access_token as string, id: login.body.user.id as string };
  };

  beforeAll(async () => {
    [redis, database] = await Promise.all([startRedisNode(), createThrowawayDatabase('permission_cache')]);
    const [authG, authH, gwG, gwH, p1G, p1H, p1A, p2G, p2H, p2A, simG, simH, simA] = (await findFreePorts(13)).map(String) as string[];
    const env = {
      ...redisConfigToEnv(redis.config),
      MESH_STORAGE: 'sql',
      DATABASE_URL: database.url,
      AUTH_GRPC_PORT: authG!,
      AUTH_HTTP_PORT: authH!,
      GATEWAY_GRPC_PORT: gwG!,
      GATEWAY_HTTP_PORT: gwH!,
      AUTH_HTTP_TARGET: `127.0.0.1:${authH}`,
      PERMISSION_CACHE_TTL_MS: '3600000',
    };
    const project = (grpc: string, http: string, adminPort: string) => ({
      ...env,
      PROJECT_GRPC_PORT: grpc,
      PROJECT_HTTP_PORT: http,
      MESH_ADMIN_PORT: adminPort,
    });
    processes.push(await startMeshProcess(['auth', 'api-gateway'], env));
    processes.push(
      ...(await Promise.all([
        startMeshProcess(['project'], project(p1G!, p1H!, p1A!)),
        startMeshProcess(['project'], project(p2G!, p2H!, p2A!)),
        startMeshProcess(['simulation'], {
          ...env,
          SIMULATION_GRPC_PORT: simG!,
          SIMULATION_HTTP_PORT: simH!,
          MESH_ADMIN_PORT: simA!,
          SIMULATION_MAX_RUNNING_PER_USER: '100',
          SIMULATION_MAX_RUNNING_PER_PROJECT: '100',
        }),
      ])),
    );
    simulation = { client: new SimulationServiceClient(`127.0.0.1:${simG}`, credentials.createInsecure()), adminPort: Number(simA) };
    gateway = `http://127.0.0.1:${gwH}`;
    instances.push(
      { client: new ProjectServiceClient(`127.0.0.1:${p1G}`, credentials.createInsecure()), adminPort: Number(p1A) },
      { client: new ProjectServiceClient(`127.0.0.1:${p2G}`, credentials.createInsecure()), adminPort: Number(p2A) },
    );

    const script = startScript('composition/admin-cli.ts', ['create-admin', ADMIN_EMAIL], {
      env: { MESH_STORAGE: 'sql', DATABASE_URL: database.url },
    });
    expect(await script.exit(undefined, 60_000)).toBe(0);
    const password = /password, shown only now: (\S+)/.exec(script.stdout())?.[1];
    admin = (await logIn(ADMIN_EMAIL, password)).token;
    const email = 'member@permission-cache.test';
    const registered = await jsonRequest(http2, 'POST', `${gateway}/auth/register`, {
      body: { email, password: PASSWORD, name: 'Member' },
    });
    expect(registered.status).toBe(201);
    user = await logIn(email);
    const client = instances[0]!.client;
    const created = await callUnary(client.createProject.bind(client), {
      userId: user.id,
      name: 'Kept grants',
      description: '',
      templateId: '',
      configuration: {},
      isPublic: false,
    });
    projectId = created.projectId;
  }, 180_000);

  afterAll(async () => {
    instances.forEach(({ client }) => client.close());
    simulation?.client.close();
    await http2.close();
    await Promise.all(processes.map((process) => process.kill()));
    await Promise.all([redis?.stop(), database?.drop()]);
  });

  it('asks auth for the first write of a permission on each instance, and not for the next', async () => {
    for (const instance of [0, 1]) {
      expect(await updateCountingAuth(instance, `first on ${instance}`)).toEqual({ authCalls: 1, code: status.OK });
      expect(await updateCountingAuth(instance, `second on ${instance}`)).toEqual({ authCalls: 0, code: status.OK });
    }
  });

  it('asks auth for the first simulation start of a user on the simulation instance, and not for the next', async () => {
    expect(await startCountingAuth()).toEqual({ authCalls: 1, code: status.OK });
    expect(await startCountingAuth()).toEqual({ authCalls: 0, code: status.OK });
  });

  it('asks auth again on every instance once the bus was lost and is back (its events may have been missed)', async () => {
    if (redis.config.kind !== 'node') throw new Error('this test runs on one Redis node');
    // Every subscriber connection dropped by the server, as a network fault would.
    const connection = new Redis(redis.config.url);
    try {
      await connection.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    } finally {
      connection.disconnect();
    }
    for (const instance of [0, 1]) {
      await waitFor(async () => (await updateCountingAuth(instance, `after the cut on ${instance}`)).authCalls === 1, 10_000, 'auth asked');
      // Once the bus is back, the grant is kept again.
      await waitFor(async () => (await updateCountingAuth(instance, `kept again on ${instance}`)).authCalls === 0, 10_000, 'grant kept');
    }
  });

  it('refuses a deactivated member on every project and simulation instance as soon as the event arrives, asking auth', async () => {
    const deactivated = await jsonRequest(http2, 'POST', `${gateway}/admin/users/${user.id}/deactivate`, { token: admin });
    expect(deactivated.status).toBe(200);
    for (const instance of [0, 1]) {
      // The grant was kept for an hour: only auth's event can have evicted it.
      await waitFor(
        async () => (await updateCountingAuth(instance, `refused on ${instance}`)).code === status.PERMISSION_DENIED,
        5_000,
        `instance ${instance} refusing the deactivated member`,
      );
      // A denial is not kept: auth is asked every time.
      expect(await updateCountingAuth(instance, `refused again on ${instance}`)).toEqual({ authCalls: 1, code: status.PERMISSION_DENIED });
    }
    await waitFor(async () => (await startCountingAuth()).code === status.PERMISSION_DENIED, 5_000, 'the simulation instance refusing');
    expect(await startCountingAuth()).toEqual({ authCalls: 1, code: status.PERMISSION_DENIED });
  });
});
