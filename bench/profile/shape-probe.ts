/**
 * Starts shape (b) (one process per service on Redis + PostgreSQL, mutual TLS), times sequential
 * calls of one operation and prints the services' log lines slower than a threshold, for profiling:
 *   node --import tsx bench/profile/shape-probe.ts [operation] [count]
 * With PROBE_CPU_PROF=DIR each service runs under `--cpu-prof --cpu-prof-dir DIR`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisConfigToEnv } from '../../adapters/redis/redis-config.js';
import { findFreePorts } from '../../test-support/free-ports.js';
import { startMeshProcess, type MeshProcess } from '../../test-support/mesh-process.js';
import { createThrowawayDatabase } from '../../test-support/postgres-fixture.js';
import { startRedisNode } from '../../test-support/redis-fixture.js';
import { benchMeshEnv, Operations, seedMesh, startLoadGenerator, type Operation } from '../support/shape-bench.js';
import { summarise } from '../support/latency.js';

const operation = (process.argv[2] ?? 'POST /projects') as Operation;
const seconds = Number(process.argv[3] ?? 5);
if (!Operations.includes(operation)) throw new Error(`unknown operation ${operation}`);
const [redis, database, dataDir, ports] = await Promise.all([
  startRedisNode(),
  createThrowawayDatabase('shape-probe'),
  mkdtemp(join(tmpdir(), 'meshwork-shape-probe-')),
  findFreePorts(8),
]);
const processes: MeshProcess[] = [];
const profile = process.env.PROBE_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROBE_CPU_PROF}`] : [];
const load = startLoadGenerator();
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
  for (const service of ['auth', 'project', 'simulation', 'api-gateway'])
    processes.push(await startMeshProcess([service], env, 120_000, profile));
  const requests = await seedMesh(`http://127.0.0.1:${ports[7]}`, 'probe');
  const request = requests.get(operation)!;
  await load.closed(request, 4, 1_000);
  const one = await load.closed(request, 1, seconds * 1_000);
  console.log(operation, '1 caller', summarise(one.latencies), 'failed', one.failures);
  const c16 = await load.closed(request, 16, seconds * 1_000);
  console.log(operation, '16 callers', (c16.latencies.length * 1000) / c16.elapsedMs, 'req/s', summarise(c16.latencies), c16.failures);
} finally {
  load.stop();
  await Promise.all(processes.map((process) => process.stop()));
  await Promise.all([redis.stop(), database.drop(), rm(dataDir, { recursive: true, force: true })]);
}
