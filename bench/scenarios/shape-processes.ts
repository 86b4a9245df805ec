import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisConfigToEnv } from '../../adapters/redis/redis-config.js';
import { findFreePorts } from '../../test-support/free-ports.js';
import { startMeshProcess, type MeshProcess } from '../../test-support/mesh-process.js';
import { createThrowawayDatabase } from '../../test-support/postgres-fixture.js';
import { startRedisNode } from '../../test-support/redis-fixture.js';
import type { BenchRow, BenchScenario } from '../support/bench-types.js';
import {
  benchMeshEnv,
  buildMesh,
  hopP99s,
  SPEC_HOP_P99_MS,
  measureShapes,
  Operations,
  rssMibOf,
  seedFloor,
  seedMesh,
  shapeRows,
  startFloor,
  startLoadGenerator,
} from '../support/shape-bench.js';

const PER_SECOND = 1_000;

/**
 * Shape (b): one process per service (auth, project, simulation, gateway), Redis for messaging
 * and discovery, PostgreSQL for storage, mutual TLS between services, as in production; against
 * bare fastify h2c doing the same SQL on the same PostgreSQL. Long: run with `--only shape-processes`.
 */
export const scenario: BenchScenario = {
  name: 'shape-processes',
  title: 'Shape (b): one process per service, Redis, PostgreSQL, mutual TLS, against bare fastify + pg',
  optIn: true,
  run: async ({ rounds }) => {
    await buildMesh();
    const [redis, database, floorDatabase, dataDir, ports] = await Promise.all([
      startRedisNode(),
      createThrowawayDatabase('shape-b'),
      createThrowawayDatabase('shape-b-floor'),
      mkdtemp(join(tmpdir(), 'meshwork-shape-b-')),
      findFreePorts(9),
    ]);
    const processes: MeshProcess[] = [];
    const load = startLoadGenerator();
    let floor: Awaited<ReturnType<typeof startFloor>> | undefined;
    try {
      const env = {
        ...redisConfigToEnv(redis.config),
        ...benchMeshEnv({
          auth: [ports[0]!, ports[1]!],
          project: [ports[2]!, ports[3]!],
          simulation: [ports[4]!, ports[5]!],
          gateway: [ports[6]!, ports[7]!],
        }),
        MESH_STORAGE: 'sql',
        DATABASE_URL: database.url,
        MESH_TLS: 'on',
        DATA_DIR: dataDir,
      };
      // auth first: it makes the development CA the others use; then each its own schema.
      const services = ['auth', 'project', 'simulation', 'api-gateway'] as const;
      for (const service of services) processes.push(await startMeshProcess([service], env, 120_000, [], [], 'build'));
      floor = await startFloor('postgres', floorDatabase.url, ports[8]!);
      const origin = `http://127.0.0.1:${ports[7]}`;
      const mesh = {
        name: 'mesh',
        origin,
        processes: services.map((service, index) => ({ label: service, pid: processes[index]!.pid })),
        requests: await seedMesh(origin, 'shape-b'),
        readHops: () =>
          hopP99s(services.map((service, index) => ({ label: service, httpOrigin: `http://127.0.0.1:${ports[index * 2 + 1]}` }))),
      };
      const bare = {
        name: 'floor',
        origin: floor.origin,
        processes: [{ label: 'fastify+pg', pid: floor.pid }],
        requests: await seedFloor(floor.origin),
      };
      const idle = await Promise.all(processes.map((process) => rssMibOf(process.pid)));
      const results = await measureShapes(load, [mesh, bare], Operations, rounds, {
        sequentialMs: 1_000,
        closedMs: 1_500,
        openMs: 1_500,
        perSecond: PER_SECOND,
      });
      const loaded = await Promise.all(processes.map((process) => rssMibOf(process.pid)));
      const rows: BenchRow[] = [];
      for (const operation of Operations) {
        rows.push(
          ...shapeRows(operation, results.get('mesh')!.get(operation)!, results.get('floor')!.get(operation)!, 'bare fastify h2c + pg', {
            throughputRatio: { at: 0.6, operations: ['POST /projects', 'GET /projects/:id'] },
            p50Ratio: 2,
            openP99Ms: 10,
            perSecond: PER_SECOND,
            hopP99Ms: (hop) => SPEC_HOP_P99_MS[hop.split(' -> ')[1]!],
          }),
        );
      }
      services.forEach((service, index) => {
        rows.push(
          { metric: `RSS of ${service}, idle after start`, unit: 'MiB', ours: idle[index]!, rounds: [idle[index]!], better: 'lower' },
          { metric: `RSS of ${service}, after the load`, unit: 'MiB', ours: loaded[index]!, rounds: [loaded[index]!], better: 'lower' },
        );
      });
      return {
        rows,
        method:
          'Four processes (`node dist/composition/main.js --service X` as `npm start` runs it, built first; MESH_TLS on, PostgreSQL via DATABASE_URL, Redis spawned for the run, LOG_LEVEL info, ' +
          'AUTH_PASSWORD_HASH_COST 1024) and the floor (bare fastify h2c + pg pool of 10, the same statements on its own database: bench/support/sql-floor-main.ts); ' +
          'the load generator (undici h2c, one session) in a process of its own. Per operation and round, mesh then floor: 1 caller for 1 s (p50/p99), ' +
          `16 and 64 closed-loop callers for 1.5 s each (throughput; CPU per request from /proc/<pid>/stat utime+stime over the 16-caller phase, 10 ms ticks), then ${PER_SECOND.toLocaleString('en-US')} req/s offered for 1.5 s (open loop, p99), and right after it each hop's p99 as its caller's connection pool saw it over its last second (meshwork_mesh_pool_latency_ms from every process's /metrics).`,
      };
    } finally {
      load.stop();
      floor?.stop();
      await Promise.all(processes.map((process) => process.kill()));
      await Promise.all([redis.stop(), database.drop(), floorDatabase.drop(), rm(dataDir, { recursive: true, force: true })]);
    }
  },
};
