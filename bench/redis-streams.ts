/**
 * Redis Streams throughput of our adapter beside a bare ioredis loop doing the same commands, and
 * beside redis-benchmark (the server's limit), all against one redis-server spawned for the run.
 *
 *   node --import tsx bench/redis-streams.ts [--entries 50000] [--batch 100] [--rounds 3] [--json]
 *
 * Producer: XADD MAXLEN ~ 50000 of the specification's 12-field simulation metric
 * (docs/specification.md#the-simulation-stream), `batch` entries
 * per pipeline (RedisStreamStore.appendBatch vs a bare pipeline), one batch in flight.
 * Consumer: XREADGROUP COUNT `batch` with the XACK of the previous batch in the same round trip
 * (RedisStreamStore.readGroup + ack issued together vs a bare pipeline). Both sides turn the reply
 * into `{ id, fields }` entries, as any consumer must before using them; that costs about a tenth
 * of a step, so a bare loop that leaves the raw arrays alone would be ~10% faster than either.
 * Within a round the two loops run step by step in alternation, each side timed on its own steps;
 * a round's ratio is the median over adjacent pairs of steps (robust to load bursts on a shared
 * machine). Figures are medians over `rounds` rounds. The target is ours >= 0.9x bare ioredis.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisConnections } from '../adapters/redis/redis-connections.js';
import { RedisStreamStore } from '../adapters/redis/redis-stream-store.js';
import { METRIC_FIELDS } from '../core/simulation/model/metric-sample.js';
import { startRedisNode } from '../test-support/redis-fixture.js';

export interface StreamsBenchResult {
  readonly entries: number;
  readonly batch: number;
  readonly rounds: number;
  /** Entries per second, medians. */
  readonly produce: { readonly ours: number; readonly bare: number; readonly redisBenchmark: number; readonly ratio: number };
  readonly consume: { readonly ours: number; readonly bare: number; readonly ratio: number };
  readonly target: number;
  readonly meetsTarget: boolean;
}

const maxLen = 50_000;
const target = 0.9;

const metric = (step: number): Record<string, string> => {
  const fields: Record<string, string> = {};
  for (const name of METRIC_FIELDS) fields[name] = (Math.random() * 10_000).toFixed(3);
  fields.timestamp = String(Date.now() * 1_000_000 + step);
  fields.simulation_step = String(step);
  return fields;
};

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** One step of a loop (a pipeline round trip); resolves to the entries it handled. */
type Step = () => Promise<number>;

interface Rates {
  readonly ours: number;
  readonly bare: number;
  /** Median over adjacent pairs of steps of (bare step time / our step time). */
  readonly ratio: number;
}

/**
 * Runs the two loops step by step in alternation (who goes first alternates too) and times each
 * side's steps only. On a shared machine, load comes in bursts: the ratio is the median over
 * adjacent pairs of steps, so a burst that hit one side of a pair does not count; the rates are
 * plain totals.
 */
const interleaved = async (steps: number, ours: Step, bare: Step): Promise<Rates> => {
  const elapsed = { ours: 0, bare: 0 };
  const handled = { ours: 0, bare: 0 };
  const pairRatios: number[] = [];
  const timed = async (side: 'ours' | 'bare', step: Step): Promise<number> => {
    const started = process.hrtime.bigint();
    handled[side] += await step();
    const ns = Number(process.hrtime.bigint() - started);
    elapsed[side] += ns;
    return ns;
  };
  for (let i = 0; i < steps; i += 1) {
    if (i % 2 === 0) {
      const oursNs = await timed('ours', ours);
      pairRatios.push((await timed('bare', bare)) / oursNs);
    } else {
      const bareNs = await timed('bare', bare);
      pairRatios.push(bareNs / (await timed('ours', ours)));
    }
  }
  return { ours: handled.ours / (elapsed.ours / 1e9), bare: handled.bare / (elapsed.bare / 1e9), ratio: median(pairRatios) };
};

const xaddArgs = (stream: string, fields: Record<string, string>): (string | number)[] => {
  const args: (string | number)[] = [stream, 'MAXLEN', '~', maxLen, '*'];
  for (const name in fields) args.push(name, fields[name]!);
  return args;
};

const bareAppendBatch = async (redis: Redis, stream: string, batch: readonly Record<string, string>[]): Promise<void> => {
  const pipeline = redis.pipeline();
  for (const fields of batch) pipeline.call('XADD', ...xaddArgs(stream, fields));
  await pipeline.exec();
};

const produceRound = async (store: RedisStreamStore, redis: Redis, batches: readonly Record<string, string>[][]): Promise<Rates> => {
  await redis.del('bench:produce:ours', 'bench:produce:bare');
  let ours = 0;
  let bare = 0;
  return interleaved(
    batches.length,
    async () => (await store.appendBatch('bench:produce:ours', batches[ours++]!, { maxLen })).length,
    async () => {
      const batch = batches[bare++]!;
      await bareAppendBatch(redis, 'bench:produce:bare', batch);
      return batch.length;
    },
  );
};

type RawRead = [string, [string, string[]][]][] | null;

/** What any consumer does with a reply before it can use it, and what `readGroup` returns. */
const toEntries = (raw: readonly [string, string[]][]): { id: string; fields: Record<string, string> }[] =>
  raw.map(([id, list]) => {
    const fields: Record<string, string> = {};
    for (let i = 0; i < list.length; i += 2) fields[list[i]!] = list[i + 1]!;
    return { id, fields };
  });

const consumeRound = async (store: RedisStreamStore, redis: Redis, batches: readonly Record<string, string>[][]): Promise<Rates> => {
  for (const stream of ['bench:consume:ours', 'bench:consume:bare']) {
    await redis.del(stream);
    for (const batch of batches) await bareAppendBatch(redis, stream, batch);
    await redis.call('XGROUP', 'CREATE', stream, 'bench', '0');
  }
  const count = batches[0]!.length;
  let oursToAck: string[] = [];
  let bareToAck: string[] = [];
  const rates = await interleaved(
    batches.length,
    async () => {
      // The next read and the acknowledgement of the previous batch go out together.
      const [entries] = await Promise.all([
        store.readGroup('bench:consume:ours', 'bench', 'c1', { count }),
        store.ack('bench:consume:ours', 'bench', oursToAck),
      ]);
      oursToAck = entries.map((entry) => entry.id);
      return entries.length;
    },
    async () => {
      const pipeline = redis.pipeline().call('XREADGROUP', 'GROUP', 'bench', 'c1', 'COUNT', count, 'STREAMS', 'bench:consume:bare', '>');
      if (bareToAck.length > 0) pipeline.call('XACK', 'bench:consume:bare', 'bench', ...bareToAck);
      const [[, reply]] = (await pipeline.exec()) as [[Error | null, RawRead]];
      const entries = toEntries(reply?.[0]?.[1] ?? []);
      bareToAck = entries.map((entry) => entry.id);
      return entries.length;
    },
  );
  await store.ack('bench:consume:ours', 'bench', oursToAck);
  if (bareToAck.length > 0) await redis.call('XACK', 'bench:consume:bare', 'bench', ...bareToAck);
  return rates;
};

const redisBenchmarkXadd = async (port: number, requests: number): Promise<number> => {
  const fields = METRIC_FIELDS.flatMap((name) => [name, '1234.567']);
  const { stdout } = await promisify(execFile)(
    'redis-benchmark',
    [
      '-p',
      String(port),
      '-n',
      String(requests),
      '-P',
      '16',
      '-q',
      'XADD',
      'bench:redis-benchmark',
      'MAXLEN',
      '~',
      String(maxLen),
      '*',
      ...fields,
    ],
    { timeout: 60_000 },
  );
  const figures = [...stdout.matchAll(/([\d.]+) requests per second/g)];
  return Number(figures.at(-1)?.[1] ?? Number.NaN);
};

const summary = (rounds: readonly Rates[]): { ours: number; bare: number; ratio: number } => ({
  ours: median(rounds.map((r) => r.ours)),
  bare: median(rounds.map((r) => r.bare)),
  ratio: median(rounds.map((r) => r.ratio)),
});

export const runRedisStreamsBench = async ({ entries = 50_000, batch = 100, rounds = 3 } = {}): Promise<StreamsBenchResult> => {
  const server = await startRedisNode();
  const port = Number(new URL(server.config.kind === 'node' ? server.config.url : '').port);
  const connections = new RedisConnections(server.config, { name: 'bench', commandTimeoutMs: 10_000 });
  const store = new RedisStreamStore(connections);
  const bare = new Redis(port, '127.0.0.1');
  try {
    const batches = chunks(
      Array.from({ length: entries }, (_, step) => metric(step)),
      batch,
    );
    await produceRound(store, bare, batches.slice(0, 20)); // warm-up: connections, JIT
    const produced: Rates[] = [];
    const consumed: Rates[] = [];
    const server: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      produced.push(await produceRound(store, bare, batches));
      consumed.push(await consumeRound(store, bare, batches));
      server.push(await redisBenchmarkXadd(port, entries));
    }
    const produce = { ...summary(produced), redisBenchmark: median(server) };
    const consume = summary(consumed);
    return { entries, batch, rounds, produce, consume, target, meetsTarget: produce.ratio >= target && consume.ratio >= target };
  } finally {
    bare.disconnect();
    await connections.close();
    await server.stop();
  }
};

const formatTable = (r: StreamsBenchResult): string => {
  const n = (value: number): string => Math.round(value).toLocaleString('en-US').padStart(12);
  const ratio = (value: number): string => `${value.toFixed(2)}x ${value >= r.target ? 'ok' : 'BELOW TARGET'}`;
  return [
    `Redis Streams, ${r.entries.toLocaleString('en-US')} entries of 12 fields, batches of ${r.batch}, median of ${r.rounds} rounds (entries/s)`,
    '',
    '| operation               |         ours |  bare ioredis | redis-benchmark | ours / bare |',
    '| ----------------------- | -----------: | ------------: | --------------: | ----------- |',
    `| XADD MAXLEN ~ (batched) | ${n(r.produce.ours)} | ${n(r.produce.bare)}  | ${n(r.produce.redisBenchmark)}    | ${ratio(r.produce.ratio)} |`,
    `| XREADGROUP + XACK       | ${n(r.consume.ours)} | ${n(r.consume.bare)}  |             n/a | ${ratio(r.consume.ratio)} |`,
    '',
    `redis-benchmark: 50 clients, pipelines of 16, the same 12-field XADD: the server's limit, not a client's.`,
  ].join('\n');
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { entries: { type: 'string' }, batch: { type: 'string' }, rounds: { type: 'string' }, json: { type: 'boolean' } },
  });
  const result = await runRedisStreamsBench({
    entries: Number(values.entries ?? 50_000),
    batch: Number(values.batch ?? 100),
    rounds: Number(values.rounds ?? 3),
  });
  if (!values.json) console.log(`${formatTable(result)}\n`);
  console.log(JSON.stringify(result, null, values.json ? 0 : 2));
}
