import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisConfigToEnv } from '../adapters/redis/redis-config.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { findFreePorts } from '../test-support/free-ports.js';
import { callsPerInstance, callsTo, readMeshReport } from '../test-support/mesh-admin.js';
import { startMeshProcess, UNTHROTTLED_GATEWAY, type MeshProcess } from '../test-support/mesh-process.js';
import { createThrowawayDatabase, type PostgresDatabase } from '../test-support/postgres-fixture.js';
import { startRedisNode, type RedisFixture } from '../test-support/redis-fixture.js';
import { steadyLoad } from '../test-support/steady-load.js';
import { aUser, type TestUser } from '../test-support/gateway-users.js';

const READS_PER_SECOND = 60;
const WRITES_PER_SECOND = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SIGKILL of one of two project processes (sharing a PostgreSQL database) while the gateway, in a
 * third process with auth and simulation, sends reads and writes to them over the mesh on Redis.
 * Reads are safe and retried on the survivor. Writes carry an idempotency key (the gateway makes
 * one, docs/adr/0058), so a write in flight on the killed instance is retried on the survivor,
 * which makes it only if the killed one had not committed it: no read fails, no write is refused,
 * none is made twice, and every acknowledged one is there afterwards.
 */
describe('failover of project instances behind the gateway', () => {
  let redis: RedisFixture;
  let database: PostgresDatabase;
  const processes: MeshProcess[] = [];
  const http = h2cAgent();
  let ports: number[];
  let gatewayUrl: string;
  let adminPort: number;
  let user: TestUser;

  const startProject = async (index: number, mesh: Record<string, string>): Promise<MeshProcess> => {
    const started = await startMeshProcess(['project'], {
      ...mesh,
      PROJECT_GRPC_PORT: String(ports[index * 2]),
      PROJECT_HTTP_PORT: String(ports[index * 2 + 1]),
      MESH_STORAGE: 'sql',
      PROJECT_DATABASE_URL: database.url,
    });
    processes.push(started);
    return started;
  };

  beforeAll(async () => {
    [redis, database, ports] = await Promise.all([startRedisNode(), createThrowawayDatabase('project_failover'), findFreePorts(11)]);
    const [, , , , authGrpc, authHttp, simulationGrpc, simulationHttp, gatewayGrpc, gatewayHttp, admin] = ports;
    adminPort = admin!;
    const mesh = {
      ...redisConfigToEnv(redis.config),
      MESH_HEARTBEAT_MS: '200',
      MESH_REGISTRY_TTL_MS: '1500',
      MESH_HEALTH_INTERVAL_MS: '5000',
    };
    await startProject(0, mesh); // first alone: it migrates the shared database
    const [, front] = await Promise.all([
      startProject(1, mesh),
      startMeshProcess(['auth', 'simulation', 'api-gateway'], {
        ...mesh,
        MESH_STORAGE: 'memory',
        AUTH_GRPC_PORT: String(authGrpc),
        AUTH_HTTP_PORT: String(authHttp),
        SIMULATION_GRPC_PORT: String(simulationGrpc),
        SIMULATION_HTTP_PORT: String(simulationHttp),
        GATEWAY_GRPC_PORT: String(gatewayGrpc),
        GATEWAY_HTTP_PORT: String(gatewayHttp),
        MESH_ADMIN_PORT: String(adminPort),
        ...UNTHROTTLED_GATEWAY,
      }),
    ]);
    processes.push(front);
    gatewayUrl = `http://127.0.0.1:${gatewayHttp}`;
    user = await aUser(http, gatewayUrl, 'project-failover');
    await waitFor(
      async () => {
        await jsonRequest(http, 'GET', `${gatewayUrl}/projects`, { token: user.token });
        return callsPerInstance(await readMeshReport(adminPort), 'project').length === 2;
      },
      20_000,
      'the gateway to use both project instances',
    );
  }, 120_000);

  /** Every write has its own name: a name stored twice is a write made twice. Read in the database itself. */
  const namesStoredTwice = async (): Promise<string[]> => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const rows = await client.query<{ name: string }>(
        "SELECT name FROM project.projects WHERE name LIKE 'failover %' GROUP BY name HAVING count(*) > 1",
      );
      return rows.rows.map((row) => row.name);
    } finally {
      await client.end();
    }
  };

  afterAll(async () => {
    await Promise.all(processes.map((process) => process.kill()));
    await http.close();
    await Promise.all([redis?.stop(), database?.drop()]);
  }, 60_000);

  it('fails no read, refuses no write and makes none twice when a project instance is killed under load', async () => {
    const created: string[] = [];
    let written = 0;
    const reads = steadyLoad(
      READS_PER_SECOND,
      async () => (await jsonRequest(http, 'GET', `${gatewayUrl}/projects?page_size=5`, { token: user.token })).status,
    );
    const writes = steadyLoad(WRITES_PER_SECOND, async () => {
      written += 1;
      const answer = await jsonRequest(http, 'POST', `${gatewayUrl}/projects`, {
        token: user.token,
        body: { name: `failover ${written}` },
      });
      if (answer.status === 201) created.push(answer.body.project_id as string);
      return answer.status;
    });
    const victim = `127.0.0.1:${ports[0]}`;
    try {
      const callsBefore = callsTo(await readMeshReport(adminPort), 'project', victim);
      await waitFor(
        async () => callsTo(await readMeshReport(adminPort), 'project', victim) > callsBefore + 20,
        15_000,
        'traffic on the victim',
      );
      await processes[0]!.kill();
      await sleep(3_000);
    } finally {
      await Promise.all([reads.stop(), writes.stop()]);
    }
    const readSamples = await reads.stop();
    const writeSamples = await writes.stop();
    const failedReads = readSamples.filter((sample) => sample.status !== 200);
    const refusedWrites = writeSamples.filter((sample) => sample.status !== 201);
    const missing: string[] = [];
    for (const id of created) {
      const answer = await jsonRequest(http, 'GET', `${gatewayUrl}/projects/${id}`, { token: user.token });
      if (answer.status !== 200) missing.push(id);
    }
    const duplicated = await namesStoredTwice();
    const retried = (await readMeshReport(adminPort)).clients.find((client) => client.service === 'project')?.client.retries ?? 0;
    console.log(
      `[fault:sigkill-project] SIGKILL of one of two project instances under ${READS_PER_SECOND} reads/s and ${WRITES_PER_SECOND} writes/s: ` +
        `${readSamples.length} reads, ${failedReads.length} failed; ${writeSamples.length} writes, ${created.length} acknowledged, ` +
        `${refusedWrites.length} refused, ${duplicated.length} made twice, lost ${missing.length} acknowledged; ` +
        `${retried} calls to project retried on the other instance (reads and writes)`,
    );

    expect(failedReads).toEqual([]);
    expect(missing).toEqual([]);
    expect(refusedWrites).toEqual([]);
    expect(duplicated).toEqual([]);
    expect(created).toHaveLength(writeSamples.length);
  }, 90_000);
});
