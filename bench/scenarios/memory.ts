import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Redis } from 'ioredis';
import { createLogger } from '../../adapters/observability/logger.js';
import { RedisConnections } from '../../adapters/redis/redis-connections.js';
import { RedisEventBus } from '../../adapters/redis/redis-event-bus.js';
import type { Subscription } from '../../core/messaging/events.js';
import { startRedisNode } from '../../test-support/redis-fixture.js';
import { median, row, sleep, type BenchRow, type BenchScenario } from '../support/bench-types.js';
import { startBenchMesh } from '../support/project-mesh.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const COUNTS = [1_000, 10_000] as const;

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/**
 * Used heap after full collections, once two readings 50 ms apart agree within 64 KiB: sockets and
 * buffers of earlier work are released over a few turns of the loop, not by one collection.
 */
const settledHeap = async (): Promise<number> => {
  let last = Number.NaN;
  for (let i = 0; i < 20; i += 1) {
    collect();
    await sleep(50);
    const used = process.memoryUsage().heapUsed;
    if (Math.abs(used - last) < 64 * 1024) return used;
    last = used;
  }
  return last;
};

/** Heap per item: settled heap after `add(count)` minus before, over count. */
const perItem = async (count: number, add: (count: number) => Promise<void>): Promise<number> => {
  const before = await settledHeap();
  await add(count);
  return ((await settledHeap()) - before) / count;
};

/** Channel subscriptions: our RedisEventBus (one handler each) against bare ioredis SUBSCRIBE of as many channels. */
const channelCosts = async (url: string, count: number) => {
  const logger = createLogger('bench', 'silent');
  const connections = new RedisConnections({ kind: 'node', url }, { logger });
  const bus = new RedisEventBus(connections, { logger });
  const subscriptions: Subscription[] = [];
  const ours = await perItem(count, async (n) => {
    for (let i = 0; i < n; i += 500) {
      subscriptions.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(500, n - i) }, (_, j) => bus.subscribe(`project:events:bench-${i + j}`, () => {})),
        )),
      );
    }
  });
  await Promise.all(subscriptions.map((s) => s.unsubscribe()));
  await bus.close();
  await connections.close();
  const bare = new Redis(url);
  const handlers = new Map<string, () => void>();
  bare.on('message', (channel: string) => handlers.get(channel)?.());
  const bareCost = await perItem(count, async (n) => {
    for (let i = 0; i < n; i += 500) {
      const channels = Array.from({ length: Math.min(500, n - i) }, (_, j) => `project:events:bare-${i + j}`);
      for (const channel of channels) handlers.set(channel, () => {});
      await bare.subscribe(...channels);
    }
  });
  bare.disconnect();
  return { ours, bare: bareCost };
};

/** A child process holding client sockets, driven over stdin. */
const wsClients = (url: string, token: string) => {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/support/ws-clients-main.ts', url, token],
    { cwd: repoRoot },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const command = async (line: string, answer: RegExp): Promise<void> => {
    const from = output.length;
    child.stdin.write(`${line}\n`);
    const until = Date.now() + 120_000;
    while (!answer.test(output.slice(from))) {
      if (/failed/.test(output.slice(from)) || Date.now() > until) throw new Error(`ws clients: ${output.slice(from)}`);
      await sleep(20);
    }
  };
  return {
    open: (count: number) => command(`open ${count}`, /opened \d+/),
    close: () => command('close', /closed/),
    stop: () => child.kill('SIGKILL'),
  };
};

/**
 * Heap per WebSocket subscriber (a socket on the gateway's /events, authenticated) and per event
 * channel subscribed on Redis, at 1k and 10k, after full collections (`gc` exposed at run time).
 */
export const scenario: BenchScenario = {
  name: 'memory',
  title: 'Memory: heap per WebSocket subscriber and per subscribed channel',
  run: async ({ rounds }) => {
    const redis = await startRedisNode();
    const url = redis.config.kind === 'node' ? redis.config.url : '';
    const channels: Record<number, { ours: number[]; bare: number[] }> = { 1_000: { ours: [], bare: [] }, 10_000: { ours: [], bare: [] } };
    const sockets: Record<number, number[]> = { 1_000: [], 10_000: [] };
    try {
      await channelCosts(url, 1_000); // warm-up: code, caches and the heap's own growth after start
      for (let round = 0; round < rounds; round += 1) {
        for (const count of COUNTS) {
          const cost = await channelCosts(url, count);
          channels[count]!.ours.push(cost.ours);
          channels[count]!.bare.push(cost.bare);
        }
      }
      const bench = await startBenchMesh();
      const clients = wsClients(`${bench.gateway.replace('http', 'ws')}/events`, bench.token);
      try {
        await clients.open(100); // warm-up: the first sockets build caches every later one shares
        await clients.close();
        for (const count of COUNTS) {
          // 10k sockets take tens of seconds to authenticate here: one round of 10k, `rounds` of 1k.
          for (let round = 0; round < (count === 1_000 ? rounds : 1); round += 1) {
            sockets[count]!.push(await perItem(count, (n) => clients.open(n)));
            await clients.close();
          }
        }
      } finally {
        clients.stop();
        await bench.stop();
      }
    } finally {
      await redis.stop();
    }
    const rows: BenchRow[] = [];
    for (const count of COUNTS) {
      rows.push(
        row({
          metric: `heap per WebSocket subscriber (/events), ${count.toLocaleString('en-US')} open`,
          unit: 'bytes',
          rounds: sockets[count]!,
          better: 'lower',
        }),
        row({
          metric: `heap per subscribed channel, ${count.toLocaleString('en-US')} channels`,
          unit: 'bytes',
          rounds: channels[count]!.ours,
          baseline: { name: 'bare ioredis SUBSCRIBE', rounds: channels[count]!.bare },
          better: 'lower',
          ...(count === 10_000 && { target: '< 1 KB (1,024 bytes)', meets: (value: number) => value < 1_024 }),
        }),
      );
    }
    const perChannel = median(channels[10_000]!.ours);
    const bareChannel = median(channels[10_000]!.bare);
    const notes = [
      `A channel subscription costs ${Math.round(perChannel)} bytes at 10k, of which ioredis's own bookkeeping is about ${Math.round(bareChannel)}; ` +
        "the rest is the bus's registry (one registration per handler, kept in an array per channel since this benchmark showed a Set per channel cost about 100 bytes more) and the subscription handle.",
      `A WebSocket subscriber costs about ${Math.round(median(sockets[10_000]!))} bytes at 10k: the socket and ws's objects, the client registry entry and its session. The 1 KB target is on channel subscriptions; ` +
        'a socket is not a subscription and costs more than 1 KB by itself in Node.',
    ];
    return {
      notes,
      method:
        'Used heap after full collections, before and after opening the sockets (clients in a child process; the gateway, with the whole mesh, in this one) ' +
        'or subscribing the channels (one handler each, against a redis-server spawned for the run), divided by the count. 10k sockets: one round.',
      rows,
    };
  },
};
