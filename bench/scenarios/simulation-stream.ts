import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redisConfigToEnv } from '../../adapters/redis/redis-config.js';
import { Streams } from '../../core/messaging/channels.js';
import type { MetricSample } from '../../core/simulation/model/metric-sample.js';
import { toStreamFields } from '../../core/simulation/stream-fields.js';
import { jsonRequest } from '../../contract-tests/support/http2-client.js';
import { startRedisNode } from '../../test-support/redis-fixture.js';
import { median, row, sleep, type BenchScenario } from '../support/bench-types.js';
import { summarise, type LatencySummary } from '../support/latency.js';
import { startBenchMesh, type BenchMesh } from '../support/project-mesh.js';
import { portOf, redisBenchmark } from '../support/redis-benchmark.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RATE = 10_000;
const TICK_MS = 10;
const LOAD_MS = 2_000;
/** Marks the benchmark's samples apart from those the simulation service writes itself. */
const MARK = 999_999;

const sampleAt = (sentAt: number): MetricSample => ({
  timestamp: Date.now(),
  nodes_active: MARK,
  nodes_failed: 0,
  pods_running: 12,
  services_healthy: 4,
  cpu_total: 3.5,
  memory_total: 12.25,
  network_in: 1_048_576,
  network_out: 524_288,
  requests_per_sec: 1_200,
  avg_latency: 12.5,
  error_rate: 0.01,
  // The send time in epoch ms with its fraction (see epochNow): latency below 1 ms shows.
  simulation_step: sentAt,
});

/** The child process watching the stream (bench/support/ws-watcher-main.ts), driven over stdin. */
const watcherProcess = (url: string, token: string) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/ws-watcher-main.ts', url, token, String(MARK)], {
    cwd: repoRoot,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const answer = async (from: number, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = pattern.exec(output.slice(from));
      if (found) return found;
      if (/failed/.test(output.slice(from)) || Date.now() > until) throw new Error(`stream watcher: ${output.slice(from, from + 500)}`);
      await sleep(5);
    }
  };
  const command = async (line: string, pattern: RegExp): Promise<RegExpExecArray> => {
    const from = output.length;
    child.stdin.write(`${line}\n`);
    return answer(from, pattern);
  };
  return {
    opened: () => answer(0, /^open$/m),
    reset: () => command('reset', /^reset$/m),
    count: async () => Number((await command('count', /^count (\d+)$/m))[1]),
    report: async () => JSON.parse((await command('report', /^report (\[.*\])$/m))[1]!) as number[],
    stop: () => child.kill('SIGKILL'),
  };
};

type Watcher = ReturnType<typeof watcherProcess> & { readonly simulationId: string };

/** A project and a running simulation of it, and a WebSocket client in a process of its own watching its stream. */
const watchSimulation = async (bench: BenchMesh): Promise<Watcher> => {
  const project = await jsonRequest(bench.http2, 'POST', `${bench.gateway}/projects`, {
    token: bench.token,
    body: { name: 'stream bench', template_id: 'microservices' },
  });
  const simulation = await jsonRequest(bench.http2, 'POST', `${bench.gateway}/simulations`, {
    token: bench.token,
    body: { project_id: project.body.project_id, duration_seconds: 600 },
  });
  if (simulation.status !== 201 && simulation.status !== 202)
    throw new Error(`start simulation: HTTP ${simulation.status} ${JSON.stringify(simulation.body)}`);
  const simulationId = simulation.body.simulation_id as string;
  const watcher = watcherProcess(`${bench.gateway.replace('http', 'ws')}/simulation/stream?simulation_id=${simulationId}`, bench.token);
  await watcher.opened();
  await sleep(300); // the gateway's stream reader starts with the first watcher
  return { ...watcher, simulationId };
};

/** Epoch ms with a fraction, comparable between processes of one machine. */
const epochNow = (): number => performance.timeOrigin + performance.now();

/**
 * Offers RATE samples/s to the simulation's stream with our RedisStreamStore (a pipelined batch
 * every TICK_MS), for LOAD_MS; the watcher timestamps each arrival. Resolves with the rate the
 * producer achieved, the rate delivered to the WebSocket and the end-to-end latencies.
 */
const offer = async (bench: BenchMesh, watcher: Watcher) => {
  await watcher.reset();
  const perTick = (RATE * TICK_MS) / 1000;
  const stream = Streams.simulation(watcher.simulationId);
  const started = performance.now();
  let produced = 0;
  const appends: Promise<unknown>[] = [];
  while (performance.now() - started < LOAD_MS) {
    const due = Math.floor(((performance.now() - started) * RATE) / 1000);
    if (due > produced) {
      const count = Math.min(due - produced, perTick * 4);
      const now = epochNow();
      appends.push(
        bench.mesh.messaging.streams.appendBatch(
          stream,
          Array.from({ length: count }, () => toStreamFields(sampleAt(now))),
        ),
      );
      produced += count;
    }
    await sleep(TICK_MS / 2);
  }
  await Promise.all(appends);
  const producedIn = performance.now() - started;
  const deadline = Date.now() + 5_000;
  let delivered = await watcher.count();
  while (delivered < produced && Date.now() < deadline) {
    await sleep(20);
    delivered = await watcher.count();
  }
  const deliveredIn = performance.now() - started;
  const latencies = await watcher.report();
  return {
    produced: (produced / producedIn) * 1000,
    delivered: (latencies.length / deliveredIn) * 1000,
    lost: produced - latencies.length,
    latency: summarise(latencies),
  };
};

/**
 * Simulation data end to end: producer (our Redis stream store) -> `simulation:stream:{id}` on Redis
 * -> the gateway's stream reader -> WebSocket client, at 10k samples/s offered, against redis-benchmark
 * XADD of the same 12-field entry on the same server (its limit) in the same run.
 */
export const scenario: BenchScenario = {
  name: 'simulation-stream',
  title: 'Simulation data: producer -> Redis stream -> gateway -> WebSocket at 10k msg/s',
  run: async ({ rounds }) => {
    const redis = await startRedisNode();
    const bench = await startBenchMesh({ ...redisConfigToEnv(redis.config), SIMULATION_UPDATES_PER_SECOND: '10' });
    const perRound = {
      produced: [] as number[],
      delivered: [] as number[],
      lost: [] as number[],
      latency: [] as LatencySummary[],
      xadd: [] as number[],
    };
    try {
      const watcher = await watchSimulation(bench);
      await offer(bench, watcher); // warm-up
      for (let round = 0; round < rounds; round += 1) {
        const result = await offer(bench, watcher);
        perRound.produced.push(result.produced);
        perRound.delivered.push(result.delivered);
        perRound.lost.push(result.lost);
        perRound.latency.push(result.latency);
        const fields = Object.entries(toStreamFields(sampleAt(0))).flat();
        perRound.xadd.push(
          await redisBenchmark(portOf(redis.config.kind === 'node' ? redis.config.url : ''), 50_000, [
            'XADD',
            'bench:xadd',
            'MAXLEN',
            '~',
            '50000',
            '*',
            ...fields,
          ]),
        );
      }
      watcher.stop();
    } finally {
      await bench.stop();
      await redis.stop();
    }
    const latencyRow = (p: 'p50' | 'p95' | 'p99') =>
      row({
        metric: `end to end, producer -> WebSocket client (${p})`,
        unit: 'ms',
        rounds: perRound.latency.map((l) => l[p]),
        better: 'lower',
        ...(p === 'p99' && { target: '< 10 ms (spec < 30 ms)', meets: (value: number) => value < 10 }),
      });
    const p99 = median(perRound.latency.map((l) => l.p99));
    const p50 = median(perRound.latency.map((l) => l.p50));
    const notes =
      p99 < 10
        ? []
        : [
            `Target missed: p99 ${p99.toFixed(1)} ms against < 10 ms (p50 ${p50.toFixed(2)} ms). The producer and the four services share one event loop here: ` +
              "a batch of up to 100 entries is decoded and written as 100 frames in one turn of the loop, and every sample waiting behind it, or behind the producer's own batch, " +
              'or behind a pause of this process on a machine other work was using (see the load average), is late by that much. The median shows the path itself is short.',
          ];
    return {
      notes,
      method:
        `Four services in this process on Redis (spawned for the run), one WebSocket watcher in a child process (as a client would be); per round ${RATE.toLocaleString('en-US')} samples/s offered for ${LOAD_MS} ms ` +
        `by our stream store (a pipelined batch every ${TICK_MS} ms), each sample carrying its send time; latency measured on arrival at the client. ` +
        'redis-benchmark: 50 clients, pipelines of 16, the same 12-field XADD MAXLEN ~.',
      rows: [
        row({
          metric: 'producer, samples appended',
          unit: 'msg/s',
          rounds: perRound.produced,
          baseline: { name: 'redis-benchmark XADD', rounds: perRound.xadd },
          better: 'higher',
          target: `>= ${RATE.toLocaleString('en-US')} msg/s offered`,
          meets: (value) => value >= RATE * 0.95,
        }),
        row({
          metric: 'delivered to the WebSocket client, one simulation',
          unit: 'msg/s',
          rounds: perRound.delivered,
          better: 'higher',
          target: '>= 0.95x produced',
          meets: (value) => value >= 0.95 * Math.min(...perRound.produced),
        }),
        row({
          metric: 'samples not delivered',
          unit: 'msg',
          rounds: perRound.lost,
          better: 'lower',
          target: '0',
          meets: (value) => value === 0,
        }),
        latencyRow('p50'),
        latencyRow('p95'),
        latencyRow('p99'),
      ],
    };
  },
};
