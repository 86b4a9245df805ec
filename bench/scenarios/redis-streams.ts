import { runRedisStreamsBench, type StreamsBenchResult } from '../redis-streams.js';
import { median, row, type BenchScenario } from '../support/bench-types.js';

const ENTRIES = 50_000;
const BATCH = 100;

/**
 * The Redis Streams adapter against a bare ioredis loop doing the same commands (bench/redis-streams.ts,
 * which also runs alone): each round is one run of that benchmark with one round of its own.
 */
export const scenario: BenchScenario = {
  name: 'redis-streams',
  title: 'Redis Streams: our adapter against bare ioredis',
  run: async ({ rounds }) => {
    const runs: StreamsBenchResult[] = [];
    for (let round = 0; round < rounds; round += 1) runs.push(await runRedisStreamsBench({ entries: ENTRIES, batch: BATCH, rounds: 1 }));
    const target = runs[0]!.target;
    return {
      method: `${ENTRIES.toLocaleString('en-US')} entries of the 12-field simulation metric in batches of ${BATCH}, against a redis-server spawned per round; ours and bare alternate step by step (see bench/redis-streams.ts). redis-benchmark XADD (the server's limit): ${Math.round(runs[0]!.produce.redisBenchmark).toLocaleString('en-US')} entries/s.`,
      rows: [
        row({
          metric: 'XADD MAXLEN ~ (batched)',
          unit: 'entries/s',
          rounds: runs.map((r) => r.produce.ours),
          baseline: { name: 'bare ioredis', rounds: runs.map((r) => r.produce.bare) },
          better: 'higher',
          target: `>= ${target}x bare (median pair ratio)`,
          meets: () => median(runs.map((r) => r.produce.ratio)) >= target,
        }),
        row({
          metric: 'XREADGROUP + XACK',
          unit: 'entries/s',
          rounds: runs.map((r) => r.consume.ours),
          baseline: { name: 'bare ioredis', rounds: runs.map((r) => r.consume.bare) },
          better: 'higher',
          target: `>= ${target}x bare (median pair ratio)`,
          meets: () => median(runs.map((r) => r.consume.ratio)) >= target,
        }),
      ],
    };
  },
};
