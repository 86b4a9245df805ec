/**
 * Heap snapshots of the whole mesh in this process before and after a churn of simulations, each
 * watched on /simulation/stream and stopped, with /events sockets and logins on the side; prints the
 * constructors whose live count grew. Run with:
 *   node --expose-gc --import tsx bench/profile/simulation-churn.ts [count] [outDir]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import WebSocket from 'ws';
import { jsonRequest } from '../../contract-tests/support/http2-client.js';
import { startBenchMesh } from '../support/project-mesh.js';

const count = Number(process.argv[2] ?? 100);
const outDir = process.argv[3] ?? '/tmp';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const countsByConstructor = (file: string): Map<string, { count: number; bytes: number }> => {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const types = snapshot.snapshot.meta.node_types[0];
  const counts = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]!]!;
    if (type !== 'object' && type !== 'closure' && type !== 'array') continue;
    const key = `${type}:${snapshot.strings[snapshot.nodes[i + nameAt]!]}`;
    const entry = counts.get(key) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += snapshot.nodes[i + sizeAt]!;
    counts.set(key, entry);
  }
  return counts;
};

const settle = async () => {
  for (let i = 0; i < 5; i += 1) {
    gc();
    await sleep(100);
  }
};

// A loaded machine fails health checks (2 s deadline): check seldom so the services stay in rotation.
const startOnce = () =>
  startBenchMesh({
    MESH_HEALTH_INTERVAL_MS: '600000',
    SIMULATION_MAX_RUNNING_PER_USER: '1000',
    SIMULATION_MAX_RUNNING_PER_PROJECT: '1000',
    SIMULATION_FINISHED_STREAM_GRACE_MS: process.env.SIMULATION_FINISHED_STREAM_GRACE_MS ?? '100',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  });
const bench = await startOnce().catch(async () => {
  await sleep(2_000);
  return startOnce();
});
const ws = bench.gateway.replace('http', 'ws');
const project = await jsonRequest(bench.http2, 'POST', `${bench.gateway}/projects`, {
  token: bench.token,
  body: { name: `churn-${Date.now()}`, template_id: 'microservices' },
});
const projectId = project.body.project_id as string;

const openSocket = (path: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(`${ws}${path}`, ['bearer', bench.token]);
    const timer = setTimeout(() => reject(new Error(`no open: ${path}`)), 10_000);
    socket.once('open', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade: HTTP ${response.statusCode}`)));
  });

const closeSocket = (socket: WebSocket) =>
  new Promise<void>((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) return resolve();
    socket.once('close', () => resolve());
    socket.close();
  });

const churn = async (n: number) => {
  console.log(`churn ${n}`);
  for (let i = 0; i < n; i += 10) {
    const ids = await Promise.all(
      Array.from({ length: 10 }, async () => {
        let started = { status: 0, body: {} as Record<string, unknown> };
        for (let attempt = 0; attempt < 30 && started.status !== 201; attempt += 1) {
          if (attempt > 0) await sleep(1_000); // a heap snapshot stops the loop long enough to lose the registry for a while
          started = await jsonRequest(bench.http2, 'POST', `${bench.gateway}/simulations`, {
            token: bench.token,
            body: { project_id: projectId, duration_seconds: 600 },
          });
        }
        if (started.status !== 201) throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
        return started.body.simulation_id as string;
      }),
    );
    console.log(`started ${i}`);
    const sockets = await Promise.all([...ids.map((id) => openSocket(`/simulation/stream?simulation_id=${id}`)), openSocket('/events')]);
    console.log(`open ${i}`);
    await sleep(300);
    for (const id of ids) {
      const stopped = await jsonRequest(bench.http2, 'POST', `${bench.gateway}/simulations/${id}/stop`, { token: bench.token, body: {} });
      if (stopped.status !== 200) throw new Error(`stop: ${stopped.status} ${JSON.stringify(stopped.body)}`);
    }
    await Promise.all(sockets.map(closeSocket));
  }
};

await churn(20);
await sleep(1000);
await settle();
const before = join(outDir, 'before.heapsnapshot');
writeHeapSnapshot(before);
const heapBefore = process.memoryUsage().heapUsed;
await churn(count);
await sleep(6_000); // past the finished streams' grace and a sweep
await settle();
const after = join(outDir, 'after.heapsnapshot');
writeHeapSnapshot(after);
const heapAfter = process.memoryUsage().heapUsed;
await bench.stop();

console.log(`heap used ${(heapBefore / 2 ** 20).toFixed(1)} -> ${(heapAfter / 2 ** 20).toFixed(1)} MiB after ${count} simulations`);
const a = countsByConstructor(before);
const b = countsByConstructor(after);
const growth = [...b].map(([name, value]) => ({
  name,
  count: value.count - (a.get(name)?.count ?? 0),
  bytes: value.bytes - (a.get(name)?.bytes ?? 0),
}));
growth.sort((x, y) => y.bytes - x.bytes);
for (const row of growth.slice(0, 40)) console.log(`${String(row.count).padStart(8)} ${String(row.bytes).padStart(12)}  ${row.name}`);
process.exit(0); // a stopped mesh leaves unref-less handles of the client side (undici agent); do not wait for them
