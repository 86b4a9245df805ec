import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisConfigToEnv } from '../adapters/redis/redis-config.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { findFreePorts } from '../test-support/free-ports.js';
import { startGatedTcpProxy, type GatedTcpProxy } from '../test-support/gated-tcp-proxy.js';
import { callsTo, readMeshReport } from '../test-support/mesh-admin.js';
import { startMeshProcess, UNTHROTTLED_GATEWAY, type MeshProcess } from '../test-support/mesh-process.js';
import { createThrowawayDatabase, type PostgresDatabase } from '../test-support/postgres-fixture.js';
import { startRedisNode, type RedisFixture } from '../test-support/redis-fixture.js';
import { steadyLoad } from '../test-support/steady-load.js';
import { aUser, type TestUser } from '../test-support/gateway-users.js';
import { fetchMeshStatus } from './operator/mesh-status-report.js';

/** Long enough that no record expires during a test: what the registry says comes from the mesh, not from Redis' TTL. */
const TTL_MS = 30_000;
const HEARTBEAT_MS = 500;
const HEALTH_INTERVAL_MS = 3_000;
/** The SIGTERMed instance stays registered as draining this long before its servers stop. */
const DRAIN_NOTICE_MS = 1_500;
const RATE = 60;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RegistryValue {
  readonly status: string;
  readonly grpc_port: number;
  readonly status_reason?: string;
  readonly status_reported_by?: string;
}

/**
 * The registry as an operator reads it with redis-cli: `services:{service}:{instance}` in a real
 * Redis, read here with a plain ioredis client and nothing of the mesh's code. Three auth processes
 * (sharing a PostgreSQL database and a signing key), one of which serves its mesh view on an admin
 * port but checks no auth instance itself; the project service and the gateway in a fourth process,
 * whose project database is reached through a TCP proxy the test can cut (docs/adr/0057).
 */
describe('the registry tells the truth: unhealthy, draining, and a failing dependency', () => {
  let redis: RedisFixture;
  let plain: Redis;
  let database: PostgresDatabase;
  let projectDatabase: PostgresDatabase;
  let projectDbProxy: GatedTcpProxy;
  let keyDir: string;
  let ports: number[];
  const processes: MeshProcess[] = [];
  const http = h2cAgent();
  let gatewayUrl: string;
  let frontAdmin: number;
  let observerAdmin: number;
  let user: TestUser;

  const authAddress = (index: number) => `127.0.0.1:${ports[index * 2]}`;
  const getProjects = async () => (await jsonRequest(http, 'GET', `${gatewayUrl}/projects`, { token: user.token })).status;

  /** Every record under `services:<registry name>:*`, by key. */
  const records = async (registryName: string): Promise<Map<string, RegistryValue>> => {
    const found = new Map<string, RegistryValue>();
    let cursor = '0';
    do {
      const [next, keys] = await plain.scan(cursor, 'MATCH', `services:${registryName}:*`, 'COUNT', 100);
      for (const key of keys) {
        const value = await plain.get(key);
        if (value !== null) found.set(key, JSON.parse(value) as RegistryValue);
      }
      cursor = next;
    } while (cursor !== '0');
    return found;
  };
  const keyOfPort = async (registryName: string, grpcPort: number): Promise<string> => {
    const entry = [...(await records(registryName))].find(([, value]) => value.grpc_port === grpcPort);
    if (!entry) throw new Error(`no ${registryName} record with gRPC port ${grpcPort}`);
    return entry[0];
  };
  const valueOf = async (key: string): Promise<RegistryValue | undefined> => {
    const value = await plain.get(key);
    return value === null ? undefined : (JSON.parse(value) as RegistryValue);
  };

  beforeAll(async () => {
    [redis, database, projectDatabase, keyDir, ports] = await Promise.all([
      startRedisNode(),
      createThrowawayDatabase('registry_truth_auth'),
      createThrowawayDatabase('registry_truth_project'),
      mkdtemp(join(tmpdir(), 'meshwork-registry-truth-')),
      findFreePorts(12),
    ]);
    plain = new Redis(redis.config.kind === 'node' ? redis.config.url : '');
    projectDbProxy = await startGatedTcpProxy(Number(new URL(projectDatabase.url).port || 5432));
    const proxiedUrl = new URL(projectDatabase.url);
    proxiedUrl.host = `127.0.0.1:${projectDbProxy.port}`;
    const keyFile = join(keyDir, 'token-key.pem');
    await writeFile(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const [, , , , , , projectGrpc, projectHttp, gatewayGrpc, gatewayHttp, front, observer] = ports;
    [frontAdmin, observerAdmin] = [front!, observer!];
    const mesh = {
      ...redisConfigToEnv(redis.config),
      MESH_HEARTBEAT_MS: String(HEARTBEAT_MS),
      MESH_REGISTRY_TTL_MS: String(TTL_MS),
      MESH_HEALTH_INTERVAL_MS: String(HEALTH_INTERVAL_MS),
    };
    const auth = (index: number, extra: Record<string, string> = {}) =>
      startMeshProcess(['auth'], {
        ...mesh,
        AUTH_GRPC_PORT: String(ports[index * 2]),
        AUTH_HTTP_PORT: String(ports[index * 2 + 1]),
        MESH_STORAGE: 'sql',
        AUTH_DATABASE_URL: database.url,
        AUTH_TOKEN_KEY_FILE: keyFile,
        ...extra,
      });
    processes.push(await auth(0)); // first alone: it migrates the shared database
    processes.push(
      ...(await Promise.all([
        auth(1, { MESH_ADMIN_PORT: String(observerAdmin) }),
        auth(2, { MESH_DRAIN_NOTICE_MS: String(DRAIN_NOTICE_MS) }),
        startMeshProcess(['project', 'api-gateway'], {
          ...mesh,
          MESH_STORAGE: 'sql',
          PROJECT_DATABASE_URL: proxiedUrl.toString(),
          PROJECT_GRPC_PORT: String(projectGrpc),
          PROJECT_HTTP_PORT: String(projectHttp),
          GATEWAY_GRPC_PORT: String(gatewayGrpc),
          GATEWAY_HTTP_PORT: String(gatewayHttp),
          MESH_ADMIN_PORT: String(frontAdmin),
          ...UNTHROTTLED_GATEWAY,
          // Every request asks auth, so traffic shows where auth calls go.
          GATEWAY_TOKEN_VALIDATION: 'remote',
        }),
      ])),
    );
    gatewayUrl = `http://127.0.0.1:${gatewayHttp}`;
    user = await aUser(http, gatewayUrl, 'registry-truth');
    await waitFor(
      async () => {
        await getProjects();
        const report = await readMeshReport(frontAdmin);
        return [0, 1, 2].every((index) => callsTo(report, 'auth', authAddress(index)) > 0);
      },
      30_000,
      'the gateway to use the three auth instances',
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all(processes.map((process) => process.kill()));
    plain?.disconnect();
    await http.close();
    await projectDbProxy?.close();
    await Promise.all([redis?.stop(), database?.drop(), projectDatabase?.drop(), keyDir && rm(keyDir, { recursive: true, force: true })]);
  }, 60_000);

  it('records a SIGKILLed instance unhealthy in Redis within the health interval, for every process and tool, and routes around it', async () => {
    const victim = await keyOfPort('auth-service', ports[0]!);
    const victimId = victim.split(':').at(-1)!;
    expect((await valueOf(victim))?.status).toBe('healthy');
    const load = steadyLoad(RATE, getProjects);
    try {
      await sleep(500);
      const killedAt = Date.now();
      await processes[0]!.kill();
      await waitFor(async () => (await valueOf(victim))?.status === 'unhealthy', HEALTH_INTERVAL_MS + 2_000, 'unhealthy in Redis');
      const markedMs = Date.now() - killedAt;
      const marked = (await valueOf(victim))!;
      const ttlLeftMs = await plain.pttl(victim);

      // Another process, which checks no auth instance itself, sees it from the registry alone.
      await waitFor(
        async () => (await readMeshReport(observerAdmin)).discovery.instances.auth?.inRotation === 2,
        5_000,
        'the observer process to count two auth instances in rotation',
      );
      const observed = (await readMeshReport(observerAdmin)).discovery.instances.auth;
      // The dashboard's mesh view and `npm run mesh -- status` read GET /mesh/status.
      const dashboard = await fetchMeshStatus({ url: gatewayUrl, token: user.token });
      const shown = dashboard.services.find((service) => service.service === 'auth')?.instances.find((i) => i.instance_id === victimId);

      // Routing: no call reaches the dead address any more.
      const before = callsTo(await readMeshReport(frontAdmin), 'auth', authAddress(0));
      await sleep(1_500);
      const after = callsTo(await readMeshReport(frontAdmin), 'auth', authAddress(0));
      const samples = await load.stop();
      console.log(
        `[registry:sigkill] SIGKILL -> "unhealthy" in Redis after ${markedMs} ms (health interval ${HEALTH_INTERVAL_MS} ms, TTL left ${ttlLeftMs} ms); ` +
          `reported by ${marked.status_reported_by}: ${marked.status_reason}; ${samples.length} requests, ${samples.filter((s) => s.status !== 200).length} failed`,
      );

      expect(markedMs).toBeLessThan(HEALTH_INTERVAL_MS);
      expect(ttlLeftMs).toBeGreaterThan(TTL_MS - HEALTH_INTERVAL_MS - 5_000);
      expect(marked.status_reported_by).toMatch(/^process \d+ on /);
      expect(marked.status_reason).toMatch(/UNAVAILABLE/);
      expect(observed).toEqual({ total: 3, inRotation: 2 });
      expect(shown).toMatchObject({ status: 'unhealthy', in_rotation: false });
      expect(after).toBe(before);
      expect(samples.filter((sample) => sample.status !== 200)).toEqual([]);
    } finally {
      await load.stop();
    }
  }, 60_000);

  it('shows a SIGTERMed instance draining, still serving, before it leaves the registry; no new call goes to it', async () => {
    const leaving = await keyOfPort('auth-service', ports[4]!);
    const changes: { status: string | null; at: number }[] = [];
    const subscriber = new Redis(redis.config.kind === 'node' ? redis.config.url : '');
    await subscriber.subscribe('services:changes');
    subscriber.on('message', (_channel, message: string) => {
      const change = JSON.parse(message) as { key: string; record: RegistryValue | null };
      if (change.key === leaving) changes.push({ status: change.record?.status ?? null, at: Date.now() });
    });
    const polled: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const status = (await valueOf(leaving))?.status ?? 'gone';
        if (polled.at(-1) !== status) polled.push(status);
        await sleep(20);
      }
    })();
    const load = steadyLoad(RATE, getProjects);
    try {
      await sleep(500);
      const exited = processes[2]!.stop();
      await waitFor(() => changes.some((change) => change.status === 'draining'), 5_000, 'draining on services:changes');
      // The front process heard it: during the drain notice the instance still serves, yet gets no new call.
      await sleep(200);
      const atDraining = callsTo(await readMeshReport(frontAdmin), 'auth', authAddress(2));
      await sleep(DRAIN_NOTICE_MS - 400);
      const beforeStop = callsTo(await readMeshReport(frontAdmin), 'auth', authAddress(2));
      expect(await exited).toBe(0);
      await waitFor(() => changes.some((change) => change.status === null), 5_000, 'the deregistration on services:changes');
      await waitFor(() => polled.at(-1) === 'gone', 5_000, 'the record gone');
      const samples = await load.stop();
      const drainingAt = changes.find((change) => change.status === 'draining')!.at;
      const goneAt = changes.find((change) => change.status === null)!.at;
      console.log(
        `[registry:sigterm] SIGTERM -> draining for ${goneAt - drainingAt} ms (notice ${DRAIN_NOTICE_MS} ms), then deregistered; ` +
          `redis-cli view: ${polled.join(' -> ')}; calls to it while draining: ${beforeStop - atDraining}; ${samples.length} requests, ${samples.filter((s) => s.status !== 200).length} failed`,
      );

      expect(changes.map((change) => change.status)).toEqual(['draining', null]);
      expect(polled).toEqual(['healthy', 'draining', 'gone']);
      expect(goneAt - drainingAt).toBeGreaterThanOrEqual(DRAIN_NOTICE_MS - 100);
      expect(beforeStop).toBe(atDraining);
      expect(samples.filter((sample) => sample.status !== 200)).toEqual([]);
    } finally {
      polling = false;
      await poller;
      await load.stop();
      subscriber.disconnect();
    }
  }, 60_000);

  it('registers an instance unhealthy while its own database fails, with the reason, and healthy once it answers again', async () => {
    const project = await keyOfPort('project-service', ports[6]!);
    expect((await valueOf(project))?.status).toBe('healthy');

    const cutAt = Date.now();
    projectDbProxy.shut();
    await waitFor(async () => (await valueOf(project))?.status === 'unhealthy', 15_000, 'unhealthy while the database is cut');
    const unhealthyMs = Date.now() - cutAt;
    const during = (await valueOf(project))!;
    projectDbProxy.open();
    const openedAt = Date.now();
    await waitFor(async () => (await valueOf(project))?.status === 'healthy', 15_000, 'healthy once the database answers');
    const healthyMs = Date.now() - openedAt;
    console.log(
      `[registry:dependency] project database cut -> "unhealthy" after ${unhealthyMs} ms (${during.status_reason}); back -> "healthy" after ${healthyMs} ms`,
    );

    expect(during.status_reason).toMatch(/^database: /);
    expect(during.status_reported_by).toBeUndefined();
    expect((await valueOf(project))?.status_reason).toBeUndefined();
  }, 60_000);
});
