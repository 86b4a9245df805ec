/**
 * Starts shape (a) (`composition/main.ts`, all four services, PGlite under a fresh DATA_DIR, mutual
 * TLS) and times one operation at 1 caller and at 16, for profiling the embedded default:
 *   node --import tsx bench/profile/embedded-probe.ts [operation] [seconds]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePorts } from '../../test-support/free-ports.js';
import { startMeshProcess } from '../../test-support/mesh-process.js';
import { benchMeshEnv, Operations, rssMibOf, seedMesh, startLoadGenerator, type Operation } from '../support/shape-bench.js';
import { summarise } from '../support/latency.js';

const operation = (process.argv[2] ?? 'POST /projects') as Operation;
const seconds = Number(process.argv[3] ?? 5);
if (!Operations.includes(operation)) throw new Error(`unknown operation ${operation}`);
const [dataDir, ports] = await Promise.all([mkdtemp(join(tmpdir(), 'meshwork-embedded-probe-')), findFreePorts(8)]);
const load = startLoadGenerator();
const mesh = await startMeshProcess(
  [],
  {
    ...benchMeshEnv({
      auth: [ports[0]!, ports[1]!],
      project: [ports[2]!, ports[3]!],
      simulation: [ports[4]!, ports[5]!],
      gateway: [ports[6]!, ports[7]!],
    }),
    MESH_STORAGE: 'sql',
    MESH_TLS: 'on',
    DATA_DIR: join(dataDir, 'mesh'),
  },
  180_000,
);
try {
  const requests = await seedMesh(`http://127.0.0.1:${ports[7]}`, 'probe');
  console.log('load average', loadavg()[0]!.toFixed(1), 'RSS idle', (await rssMibOf(mesh.pid)).toFixed(0), 'MiB');
  const request = requests.get(operation)!;
  await load.closed(request, 1, 1_000);
  const one = await load.closed(request, 1, seconds * 1_000);
  console.log(operation, '1 caller', summarise(one.latencies), 'failed', one.failures);
  const many = await load.closed(request, 16, seconds * 1_000);
  console.log(operation, '16 callers', ((many.latencies.length * 1000) / many.elapsedMs).toFixed(1), 'req/s', 'failed', many.failures);
} finally {
  load.stop();
  await mesh.stop();
  await rm(dataDir, { recursive: true, force: true });
}
