/**
 * POST /projects on in-memory bench meshes side by side, traces off and every trace exported, steps
 * alternating, for profiling rather than for the record (the figures are `bench/scenarios/tracing-overhead.ts`'s):
 *   node --import tsx bench/profile/tracing-flow.ts [off,every] [steps] [requests per step]
 * With TRACING_FLOW_SHAPE=redis-pg, each mesh has its own redis-server and PostgreSQL database (every span kind).
 * With PROFILE_DIR set, each step's CPU profile (and only the steps') goes there as `<mode>-<step>.cpuprofile`.
 * Prints each mode's median throughput and CPU per request at 16 callers, the median ratios to the
 * first mode, and the spans the sink got per request.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import { request as httpRequest } from 'undici';
import { redisConfigToEnv } from '../../adapters/redis/redis-config.js';
import { createThrowawayDatabase } from '../../test-support/postgres-fixture.js';
import { startRedisNode } from '../../test-support/redis-fixture.js';
import { startOtlpSinkProcess } from '../support/backend-process.js';
import { median } from '../support/bench-types.js';
import { postProject, startBenchMesh, type BenchMesh } from '../support/project-mesh.js';

const modes = (process.argv[2] ?? 'off,every').split(',');
const steps = Number(process.argv[3] ?? 10);
const calls = Number(process.argv[4] ?? 200);
const CALLERS = 16;
let failed = 0;
let gcMs = 0;
/** Collections by kind (1 minor, 2 major, 4 incremental, 8 weak callbacks) since the process started. */
const gcCounts = new Map<number, number>();
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcMs += entry.duration;
    const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
    gcCounts.set(kind, (gcCounts.get(kind) ?? 0) + 1);
  }
}).observe({ entryTypes: ['gc'] });
const gcKinds = (): Map<number, number> => new Map(gcCounts);
const gcByMode = new Map<string, Map<number, number>>();

const sink = await startOtlpSinkProcess();
const envOf = (mode: string): Record<string, string> => ({
  OUTBOX_KEEP_SENT_SECONDS: '0',
  ...(!mode.startsWith('off') && {
    OTEL_TRACES_SAMPLER: 'always_on',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://${sink.address}/${mode}/v1/traces`,
  }),
});
const cleanups: (() => Promise<void>)[] = [];
/** Storage and event bus of one mesh of its own: in memory, or its own Redis and PostgreSQL database. */
const isolated = async (): Promise<Record<string, string>> => {
  if (process.env.TRACING_FLOW_SHAPE !== 'redis-pg') return {};
  const [redis, database] = await Promise.all([startRedisNode(), createThrowawayDatabase('profile-tracing')]);
  const dataDir = mkdtempSync(join(tmpdir(), 'meshwork-profile-tracing-'));
  cleanups.push(async () => {
    await redis.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    ...redisConfigToEnv(redis.config),
    MESH_STORAGE: 'sql',
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    AUTH_KEY_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
  };
};
const meshes: BenchMesh[] = [];
for (const mode of modes) meshes.push(await startBenchMesh({ ...(await isolated()), ...envOf(mode) }));

const createProject = async (mesh: BenchMesh, name: string): Promise<void> => {
  if (!(await postProject(mesh, name))) throw new Error('POST /projects: not 201');
};

/** The main thread's CPU time, µs (Linux): the rest of process.cpuUsage() is V8's and libuv's helper threads. */
const mainThreadCpu = (): number => {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100;
};

const profileDir = process.env.PROFILE_DIR;
const heapDir = process.env.HEAP_PROFILE_DIR;
const inspector = new Session();
inspector.connect();
await inspector.post('Profiler.enable');
await inspector.post('Profiler.setSamplingInterval', { interval: 250 });

/** CPU time of each named thread of this process, µs. */
const threadCpu = (): Map<string, number> => {
  const byName = new Map<string, number>();
  for (const task of readdirSync('/proc/self/task')) {
    try {
      const name = readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim();
      const fields = readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const key = task === String(process.pid) ? 'main' : name;
      byName.set(key, (byName.get(key) ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100);
    } catch {
      // the thread ended
    }
  }
  return byName;
};
const threadTotals = new Map<string, Map<string, number>>();

const step = async (mesh: BenchMesh, label: string) => {
  if (profileDir) await inspector.post('Profiler.start');
  if (heapDir)
    await inspector.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const gcBefore = gcMs;
  const mainBefore = mainThreadCpu();
  const threadsBefore = threadCpu();
  const gcBeforeKinds = gcKinds();
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (next < calls) {
        next += 1;
        await createProject(mesh, `${label} ${next}`).catch(() => {
          failed += 1;
        });
      }
    }),
  );
  await mesh.mesh.tracing?.flush();
  const used = process.cpuUsage(cpu);
  const mode = label.split('-')[0]!;
  const totals = threadTotals.get(mode) ?? new Map<string, number>();
  threadTotals.set(mode, totals);
  const kinds = gcByMode.get(mode) ?? new Map<number, number>();
  gcByMode.set(mode, kinds);
  for (const [kind, count] of gcCounts) kinds.set(kind, (kinds.get(kind) ?? 0) + count - (gcBeforeKinds.get(kind) ?? 0));
  for (const [name, time] of threadCpu()) totals.set(name, (totals.get(name) ?? 0) + time - (threadsBefore.get(name) ?? 0));
  if (heapDir)
    writeFileSync(`${heapDir}/${label}.heapprofile`, JSON.stringify((await inspector.post('HeapProfiler.stopSampling')).profile));
  if (profileDir) writeFileSync(`${profileDir}/${label}.cpuprofile`, JSON.stringify((await inspector.post('Profiler.stop')).profile));
  return {
    capacity: (calls * 1000) / (performance.now() - started),
    cpu: (used.user + used.system) / calls,
    gc: ((gcMs - gcBefore) * 1000) / calls,
    main: (mainThreadCpu() - mainBefore) / calls,
  };
};

try {
  for (const mesh of meshes) for (let i = 0; i < 100; i += 1) await createProject(mesh, `warm ${i}`);
  const results = modes.map(() => [] as { capacity: number; cpu: number; gc: number; main: number }[]);
  for (let round = 0; round < steps; round += 1) {
    for (let k = 0; k < meshes.length; k += 1) {
      const index = (round + k) % meshes.length;
      results[index]!.push(await step(meshes[index]!, `${modes[index]}-${round}`));
    }
  }
  await Promise.all(meshes.map((mesh) => mesh.mesh.tracing?.shutdown()));
  if (failed > 0) console.log(`${failed} requests failed`);
  const stats = (await (await httpRequest(`http://${sink.address}/stats`)).body.json()) as Record<string, { spans: number }>;
  const requests = 100 + steps * calls;
  modes.forEach((mode, m) => {
    const own = results[m]!;
    const ratio = (pick: (s: { capacity: number; cpu: number }) => number) => median(own.map((s, i) => pick(s) / pick(results[0]![i]!)));
    console.log(
      `${mode}: ${median(own.map((s) => s.capacity)).toFixed(0)} req/s (x${ratio((s) => s.capacity).toFixed(3)}), ` +
        `${median(own.map((s) => s.cpu)).toFixed(0)} µs CPU per request (capacity it allows x${(1 / ratio((s) => s.cpu)).toFixed(3)}), ${median(own.map((s) => s.main)).toFixed(0)} µs on the main thread, ${median(own.map((s) => s.gc)).toFixed(0)} µs GC pauses` +
        (mode.startsWith('off') ? '' : `, ${((stats[`/${mode}/v1/traces`]?.spans ?? 0) / requests).toFixed(2)} spans per request`),
    );
    const threads = [...(threadTotals.get(mode) ?? [])].map(([name, time]) => `${name} ${(time / (steps * calls)).toFixed(0)}`);
    console.log(`  CPU per request by thread, µs: ${threads.join(', ')}`);
    const kinds = [...(gcByMode.get(mode) ?? [])].map(([kind, count]) => `kind ${kind}: ${((count * 1000) / (steps * calls)).toFixed(1)}`);
    console.log(`  collections per 1,000 requests: ${kinds.join(', ')}`);
  });
} finally {
  for (const mesh of meshes) await mesh.stop();
  for (const cleanup of cleanups) await cleanup();
  await sink.kill();
}
