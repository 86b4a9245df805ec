import { Redis } from 'ioredis';
import { createLogger } from '../../adapters/observability/logger.js';
import { RedisConnections } from '../../adapters/redis/redis-connections.js';
import { RedisEventBus } from '../../adapters/redis/redis-event-bus.js';
import { RedisStreamStore } from '../../adapters/redis/redis-stream-store.js';
import { StreamJobQueue } from '../../adapters/streams/stream-job-queue.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { startRedisNode } from '../../test-support/redis-fixture.js';
import { median, percentile, row, type BenchScenario } from '../support/bench-types.js';

const JOBS = 20_000;
const IN_FLIGHT = 64;
const STEPS = 4;
const SUBSCRIPTIONS = 200;
const JOBS_TARGET = 10_000;
const SUBSCRIBE_TARGET_MS = 10;

const payload = (n: number) => ({ projectId: `bench-${n}`, email: `user${n}@example.com`, template: 'welcome' });

/** Runs `count` async calls with at most `inFlight` at once. */
const bounded = async (count: number, inFlight: number, call: (n: number) => Promise<unknown>): Promise<void> => {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) await call(next++);
    }),
  );
};

interface JobSide {
  /** Enqueues `jobs` jobs and resolves once every one has been handled and acknowledged: jobs per second. */
  run(jobs: number): Promise<number>;
  close(): Promise<void>;
}

/** Our StreamJobQueue on Redis: one producer, one worker pool of one worker with IN_FLIGHT jobs in hand. */
const oursJobs = async (url: string, queue: string): Promise<JobSide> => {
  const logger = createLogger('bench', 'silent');
  const connections = new RedisConnections({ kind: 'node', url }, { logger, name: 'bench-jobs' });
  const jobs = new StreamJobQueue(new RedisStreamStore(connections), new SystemClock(), logger, { blockMs: 100 });
  let handled = 0;
  let wake: (() => void) | undefined;
  let want = 0;
  const worker = await jobs.work(
    queue,
    'bench',
    async () => {
      handled += 1;
      if (handled >= want) wake?.();
    },
    { concurrency: IN_FLIGHT },
  );
  return {
    run: async (count) => {
      const started = performance.now();
      want = handled + count;
      const done = new Promise<void>((resolve) => (wake = resolve));
      await bounded(count, IN_FLIGHT, (n) => jobs.enqueue(queue, { type: 'email.send', payload: payload(n) }));
      await done;
      return count / ((performance.now() - started) / 1_000);
    },
    close: async () => {
      await worker.stop();
      await connections.close();
    },
  };
};

/**
 * Bare ioredis doing what a stream job queue must: XADD of the job's fields, a consumer reading
 * XREADGROUP COUNT IN_FLIGHT and acknowledging each batch with one XACK.
 */
const bareJobs = async (url: string, queue: string): Promise<JobSide> => {
  const producer = new Redis(url);
  const consumer = new Redis(url);
  await producer.call('XGROUP', 'CREATE', queue, 'bench', '0', 'MKSTREAM');
  let stopping = false;
  let handled = 0;
  let want = 0;
  let wake: (() => void) | undefined;
  const reading = (async () => {
    while (!stopping) {
      const reply = (await consumer.call('XREADGROUP', 'GROUP', 'bench', 'c1', 'COUNT', IN_FLIGHT, 'BLOCK', 100, 'STREAMS', queue, '>')) as
        | [string, [string, string[]][]][]
        | null;
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) continue;
      for (const [, fields] of entries) JSON.parse(fields[fields.indexOf('payload') + 1]!);
      await consumer.call('XACK', queue, 'bench', ...entries.map(([id]) => id));
      handled += entries.length;
      if (handled >= want) wake?.();
    }
  })();
  return {
    run: async (count) => {
      const started = performance.now();
      want = handled + count;
      const done = new Promise<void>((resolve) => (wake = resolve));
      await bounded(count, IN_FLIGHT, (n) =>
        producer.call('XADD', queue, '*', 'type', 'email.send', 'payload', JSON.stringify(payload(n)), 'enqueued_at', Date.now()),
      );
      await done;
      return count / ((performance.now() - started) / 1_000);
    },
    close: async () => {
      stopping = true;
      await reading;
      producer.disconnect();
      consumer.disconnect();
    },
  };
};

/** Sequential subscriptions to fresh channels: how long each takes to be confirmed by Redis, in ms. */
const subscribeTimes = async (subscribe: (channel: string) => Promise<unknown>, prefix: string): Promise<number[]> => {
  const times: number[] = [];
  for (let i = 0; i < SUBSCRIPTIONS; i += 1) {
    const started = performance.now();
    await subscribe(`${prefix}:${i}`);
    times.push(performance.now() - started);
  }
  return times;
};

interface Round {
  readonly jobs: { ours: number; bare: number; ratio: number };
  readonly subscribe: { ours: number[]; bare: number[] };
}

const runRound = async (round: number): Promise<Round> => {
  const server = await startRedisNode();
  const url = server.config.kind === 'node' ? server.config.url : '';
  try {
    const ours = await oursJobs(url, `async:bench:${round}:ours`);
    const bare = await bareJobs(url, `async:bench:${round}:bare`);
    const rates = { ours: [] as number[], bare: [] as number[] };
    const pairRatios: number[] = [];
    try {
      // Steps alternate which side goes first; the ratio is the median over adjacent pairs.
      for (let step = 0; step < STEPS; step += 1) {
        const [first, second] = step % 2 === 0 ? [ours, bare] : [bare, ours];
        const a = await first.run(JOBS / STEPS);
        const b = await second.run(JOBS / STEPS);
        const [o, r] = step % 2 === 0 ? [a, b] : [b, a];
        rates.ours.push(o);
        rates.bare.push(r);
        pairRatios.push(o / r);
      }
    } finally {
      await Promise.all([ours.close(), bare.close()]);
    }

    const logger = createLogger('bench', 'silent');
    const connections = new RedisConnections({ kind: 'node', url }, { logger, name: 'bench-subscribe' });
    const bus = new RedisEventBus(connections, { logger });
    const bareSubscriber = new Redis(url);
    try {
      const oursTimes = await subscribeTimes((channel) => bus.subscribe(channel, () => undefined), `project:events:bench${round}`);
      const bareTimes = await subscribeTimes((channel) => bareSubscriber.subscribe(channel), `project:events:bare${round}`);
      return {
        jobs: { ours: median(rates.ours), bare: median(rates.bare), ratio: median(pairRatios) },
        subscribe: { ours: oursTimes, bare: bareTimes },
      };
    } finally {
      await bus.close();
      await connections.close();
      bareSubscriber.disconnect();
    }
  } finally {
    await server.stop();
  }
};

/**
 * The specification's background-queue and subscription figures that no other scenario measures:
 * jobs enqueued to done (>= 10k jobs/s) and a channel subscription confirmed (< 10 ms), each beside
 * bare ioredis doing the same commands against the same redis-server.
 */
export const scenario: BenchScenario = {
  name: 'queues-and-subscriptions',
  title: 'Background queues (enqueue to done) and channel subscriptions, against bare ioredis',
  run: async ({ rounds }) => {
    const results: Round[] = [];
    for (let round = 0; round < rounds; round += 1) results.push(await runRound(round));
    const p = (side: 'ours' | 'bare', q: number) => results.map((r) => percentile(r.subscribe[side], q));
    return {
      method:
        `Per round a redis-server spawned for it; ${JOBS.toLocaleString('en-US')} jobs in ${STEPS} steps per side, ` +
        `sides alternating which goes first: enqueued with ${IN_FLIGHT} in flight while one worker handles up to ${IN_FLIGHT} at once, ` +
        `timed from the first enqueue to the last acknowledgement (ours: StreamJobQueue on RedisStreamStore; bare: XADD, XREADGROUP COUNT ${IN_FLIGHT}, XACK per batch). ` +
        `Then ${SUBSCRIPTIONS} subscriptions to fresh channels one after another, each timed to Redis's confirmation (ours: RedisEventBus.subscribe; bare: ioredis subscribe).`,
      rows: [
        row({
          metric: 'background jobs, enqueue -> done',
          unit: 'jobs/s',
          rounds: results.map((r) => r.jobs.ours),
          baseline: { name: 'bare ioredis', rounds: results.map((r) => r.jobs.bare) },
          better: 'higher',
          target: `>= ${JOBS_TARGET.toLocaleString('en-US')} jobs/s (median of pair ratios ${median(results.map((r) => r.jobs.ratio)).toFixed(2)})`,
          meets: (ours) => ours >= JOBS_TARGET,
        }),
        row({
          metric: 'channel subscription confirmed (p50)',
          unit: 'ms',
          rounds: p('ours', 50),
          baseline: { name: 'bare ioredis', rounds: p('bare', 50) },
          better: 'lower',
        }),
        row({
          metric: 'channel subscription confirmed (p99)',
          unit: 'ms',
          rounds: p('ours', 99),
          baseline: { name: 'bare ioredis', rounds: p('bare', 99) },
          better: 'lower',
          target: `< ${SUBSCRIBE_TARGET_MS} ms`,
          meets: (ours) => ours < SUBSCRIBE_TARGET_MS,
        }),
      ],
    };
  },
};
