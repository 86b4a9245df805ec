import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePorts } from '../../test-support/free-ports.js';
import { startMeshProcess, type MeshProcess } from '../../test-support/mesh-process.js';
import { sleep, type BenchRow, type BenchScenario } from '../support/bench-types.js';
import {
  benchMeshEnv,
  buildMesh,
  measureShapes,
  Operations,
  rssMibOf,
  seedFloor,
  seedMesh,
  shapeRows,
  startFloor,
  startLoadGenerator,
} from '../support/shape-bench.js';

const IDLE_SETTLE_MS = 5_000;
/** The specification's 500 MB, in the MiB that RSS is reported in. */
const MIB_IN_500_MB = 500_000_000 / 2 ** 20;
const PER_SECOND = 200;

/**
 * Shape (a): the embedded default, `npm start` as a new user runs it: the four services in one
 * process, PGlite under DATA_DIR, in-process messaging, mutual TLS between services on loopback;
 * against bare fastify h2c doing the same SQL on its own PGlite. Run with `--only shape-embedded`.
 */
export const scenario: BenchScenario = {
  name: 'shape-embedded',
  title: 'Shape (a): the embedded default (one process, PGlite), against bare fastify + PGlite',
  optIn: true,
  run: async ({ rounds }) => {
    await buildMesh();
    const [dataDir, ports] = await Promise.all([mkdtemp(join(tmpdir(), 'meshwork-shape-a-')), findFreePorts(9)]);
    const processes: MeshProcess[] = [];
    const load = startLoadGenerator();
    let floor: Awaited<ReturnType<typeof startFloor>> | undefined;
    try {
      const env = {
        ...benchMeshEnv({
          auth: [ports[0]!, ports[1]!],
          project: [ports[2]!, ports[3]!],
          simulation: [ports[4]!, ports[5]!],
          gateway: [ports[6]!, ports[7]!],
        }),
        MESH_STORAGE: 'sql',
        MESH_TLS: 'on',
        DATA_DIR: join(dataDir, 'mesh'),
      };
      processes.push(await startMeshProcess([], env, 180_000, [], [], 'build'));
      // Idle: started, nothing asked of it yet, a few seconds to settle (as `npm start` sits before its first client).
      await sleep(IDLE_SETTLE_MS);
      const idle = await rssMibOf(processes[0]!.pid);
      floor = await startFloor('pglite', join(dataDir, 'floor'), ports[8]!);
      const origin = `http://127.0.0.1:${ports[7]}`;
      const mesh = {
        name: 'mesh',
        origin,
        processes: [{ label: 'mesh (all four services)', pid: processes[0]!.pid }],
        requests: await seedMesh(origin, 'shape-a'),
      };
      const bare = {
        name: 'floor',
        origin: floor.origin,
        processes: [{ label: 'fastify+PGlite', pid: floor.pid }],
        requests: await seedFloor(floor.origin),
      };
      const seeded = await rssMibOf(processes[0]!.pid);
      const results = await measureShapes(load, [mesh, bare], Operations, rounds, {
        sequentialMs: 1_000,
        closedMs: 1_500,
        openMs: 1_500,
        perSecond: PER_SECOND,
      });
      const loaded = await rssMibOf(processes[0]!.pid);
      const floorRss = await rssMibOf(floor.pid);
      const rows: BenchRow[] = [];
      for (const operation of Operations) {
        rows.push(
          ...shapeRows(
            operation,
            results.get('mesh')!.get(operation)!,
            results.get('floor')!.get(operation)!,
            'bare fastify h2c + PGlite',
            {
              throughputRatio: { at: 0.25, operations: Operations },
              p50Ms: 5,
              perSecond: PER_SECOND,
            },
          ),
        );
      }
      rows.push(
        {
          metric: `RSS of the mesh process, idle ${IDLE_SETTLE_MS / 1000} s after start`,
          unit: 'MiB',
          ours: idle,
          rounds: [idle],
          better: 'lower',
          target: '< 500 MB (476.8 MiB)',
          meetsTarget: idle < MIB_IN_500_MB,
        },
        {
          metric: 'RSS of the mesh process, after the seeding (a user, 20 projects, a simulation of 1 s)',
          unit: 'MiB',
          ours: seeded,
          rounds: [seeded],
          better: 'lower',
        },
        {
          metric: 'RSS of the mesh process, after the load',
          unit: 'MiB',
          ours: loaded,
          rounds: [loaded],
          better: 'lower',
          target: '< 500 MB (476.8 MiB)',
          meetsTarget: loaded < MIB_IN_500_MB,
        },
        { metric: 'RSS of the floor (one PGlite), after the load', unit: 'MiB', ours: floorRss, rounds: [floorRss], better: 'lower' },
      );
      return {
        rows,
        method:
          'One process (`node dist/composition/main.js` as `npm start` runs it, built first; all four services, MESH_STORAGE sql on PGlite under a fresh DATA_DIR, no Redis, MESH_TLS on, LOG_LEVEL info, ' +
          'AUTH_PASSWORD_HASH_COST 1024) and the floor (bare fastify h2c + one PGlite, the same statements: bench/support/sql-floor-main.ts); ' +
          'the load generator (undici h2c, one session) in a process of its own. Per operation and round, mesh then floor: 1 caller for 1 s (p50/p99), ' +
          `16 and 64 closed-loop callers for 1.5 s each (throughput; CPU per request from /proc/<pid>/stat over the 16-caller phase), then ${PER_SECOND} req/s offered for 1.5 s (open loop, p99).`,
      };
    } finally {
      load.stop();
      floor?.stop();
      await Promise.all(processes.map((process) => process.kill()));
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
