import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'undici';
import { redisConfigToEnv } from '../../adapters/redis/redis-config.js';
import { createThrowawayDatabase } from '../../test-support/postgres-fixture.js';
import { startRedisNode } from '../../test-support/redis-fixture.js';
import { startOtlpSinkProcess } from '../support/backend-process.js';
import { median, row, type BenchRow, type BenchScenario } from '../support/bench-types.js';
import { summarise } from '../support/latency.js';
import { startBenchMesh, type BenchMesh } from '../support/project-mesh.js';

const SEQUENTIAL = 60;
const CAPACITY_CALLS = 400;
const CAPACITY_CONCURRENCY = 16;
const TARGET = 0.9;

/** POST /projects through the gateway; true when answered 201. */
const createProject = async (bench: BenchMesh, name: string): Promise<boolean> => {
  const response = await httpRequest(`${bench.gateway}/projects`, {
    method: 'POST',
    dispatcher: bench.http2,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bench.token}` },
    body: JSON.stringify({ name, template_id: 'microservices' }),
  });
  await response.body.dump();
  return response.statusCode === 201;
};

interface Step {
  readonly capacity: number;
  /** This process's CPU per request at capacity (every service, the client and the exporter run in it), µs. */
  readonly cpuPerRequest: number;
  readonly aloneP50: number;
  readonly failed: number;
}

/** One step on `bench`: requests one at a time, then closed-loop callers (capacity). */
const step = async (bench: BenchMesh, label: string): Promise<Step> => {
  let failed = 0;
  let sent = 0;
  const send = async () => {
    if (!(await createProject(bench, `${label} ${(sent += 1)}`))) failed += 1;
  };
  const alone: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i += 1) {
    const started = performance.now();
    await send();
    alone.push(performance.now() - started);
  }
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CAPACITY_CONCURRENCY }, async () => {
      while (next < CAPACITY_CALLS) {
        next += 1;
        await send();
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return {
    capacity: (CAPACITY_CALLS / (performance.now() - started)) * 1000,
    cpuPerRequest: (used.user + used.system) / CAPACITY_CALLS,
    aloneP50: summarise(alone).p50,
    failed,
  };
};

interface Shape {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly cleanup: () => Promise<void>;
}

/** Layer 3 and storage of the two measured shapes: everything in memory, and Redis with PostgreSQL (every span kind). */
const shapes = async (): Promise<Shape[]> => {
  const redis = await startRedisNode();
  const database = await createThrowawayDatabase('bench-tracing');
  const dataDir = await mkdtemp(join(tmpdir(), 'meshwork-bench-tracing-'));
  return [
    { name: 'in-memory storage and event bus', env: {}, cleanup: async () => {} },
    {
      name: 'Redis and PostgreSQL',
      env: {
        ...redisConfigToEnv(redis.config),
        MESH_STORAGE: 'sql',
        DATABASE_URL: database.url,
        DATA_DIR: dataDir,
        AUTH_KEY_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
      },
      cleanup: async () => {
        await redis.stop();
        await database.drop();
        await rm(dataDir, { recursive: true, force: true });
      },
    },
  ];
};

/**
 * The project creation flow (POST /projects through the gateway, ValidateToken, CreateProject,
 * CheckPermission, store, publish, consumers) with OpenTelemetry traces exported over OTLP/HTTP
 * (every request sampled) against the same flow with tracing off, on two meshes of the same
 * shape running side by side; steps alternate between them, who goes first alternating too.
 */
export const scenario: BenchScenario = {
  name: 'tracing-overhead',
  title: 'OpenTelemetry traces on against off, for the project creation flow',
  run: async ({ rounds }) => {
    const sink = await startOtlpSinkProcess();
    const rows: BenchRow[] = [];
    const notes: string[] = [];
    const measured = await shapes();
    try {
      for (const shape of measured) {
        const off = await startBenchMesh(shape.env);
        const on = await startBenchMesh({
          ...shape.env,
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://${sink.address}`,
          OTEL_TRACES_SAMPLER: 'always_on',
        });
        const stats = async () =>
          (await (await httpRequest(`http://${sink.address}/stats`)).body.json()) as { requests: number; bytes: number };
        const results = { on: [] as Step[], off: [] as Step[] };
        const pairRatios: number[] = [];
        const cpuRatios: number[] = [];
        try {
          for (let i = 0; i < 50; i += 1) await Promise.all([createProject(off, `warm ${i}`), createProject(on, `warm ${i}`)]);
          const before = await stats();
          for (let round = 0; round < rounds * 2; round += 1) {
            const order = round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
            const pair: Partial<Record<'on' | 'off', Step>> = {};
            for (const mode of order) pair[mode] = await step(mode === 'on' ? on : off, `${mode} ${round}`);
            results.on.push(pair.on!);
            results.off.push(pair.off!);
            pairRatios.push(pair.on!.capacity / pair.off!.capacity);
            cpuRatios.push(pair.off!.cpuPerRequest / pair.on!.cpuPerRequest);
          }
          // What the traced mesh exported, once its last batch is out.
          await on.mesh.tracing?.shutdown();
          const after = await stats();
          const traced = results.on.length * (SEQUENTIAL + CAPACITY_CALLS);
          const pairRatio = median(pairRatios);
          rows.push(
            row({
              metric: `${shape.name}: POST /projects, ${CAPACITY_CONCURRENCY} callers (capacity), traces on`,
              unit: 'req/s',
              rounds: results.on.map((r) => r.capacity),
              baseline: { name: 'traces off', rounds: results.off.map((r) => r.capacity) },
              better: 'higher',
              target: `>= ${TARGET}x off (median of pair ratios ${pairRatio.toFixed(3)})`,
              meets: () => pairRatio >= TARGET,
            }),
            row({
              metric: `${shape.name}: CPU per request at capacity, traces on`,
              unit: 'µs',
              rounds: results.on.map((r) => r.cpuPerRequest),
              baseline: { name: 'traces off', rounds: results.off.map((r) => r.cpuPerRequest) },
              better: 'lower',
              target: `capacity it allows >= ${TARGET}x off (median of pair ratios off/on ${median(cpuRatios).toFixed(3)})`,
              meets: () => median(cpuRatios) >= TARGET,
            }),
            row({
              metric: `${shape.name}: POST /projects one at a time (p50), traces on`,
              unit: 'ms',
              rounds: results.on.map((r) => r.aloneP50),
              baseline: { name: 'traces off', rounds: results.off.map((r) => r.aloneP50) },
              better: 'lower',
            }),
            row({
              metric: `${shape.name}: requests not answered 201, traces on / off`,
              unit: 'requests',
              rounds: results.on.map((r) => r.failed),
              baseline: { name: 'traces off', rounds: results.off.map((r) => r.failed) },
              better: 'lower',
              target: '0',
              meets: (value) => value === 0 && results.off.every((r) => r.failed === 0),
            }),
          );
          notes.push(
            `${shape.name}: ${after.requests - before.requests} export requests carried ${((after.bytes - before.bytes) / traced / 1024).toFixed(1)} KiB of protobuf per traced request (every request sampled).`,
          );
        } finally {
          await on.stop();
          await off.stop();
        }
      }
    } finally {
      await Promise.all(measured.map((shape) => shape.cleanup()));
      await sink.kill();
    }
    return {
      notes,
      method:
        `Two meshes of the same shape in this process (the four services each, as project-flow), one exporting every trace over OTLP/HTTP protobuf to a receiver in a child process that drops them, ` +
        `one with no OTEL variables. Per round and mesh: ${SEQUENTIAL} requests one at a time, then ${CAPACITY_CALLS} with ${CAPACITY_CONCURRENCY} closed-loop callers; ` +
        `${rounds * 2} rounds alternating which mesh goes first; the targets are on the median of the per-round ratios. ` +
        'CPU per request is the CPU this process used during the capacity step over its requests: the capacity a CPU-bound mesh has, less moved by other work on the machine than wall-clock throughput.',
      rows,
    };
  },
};
