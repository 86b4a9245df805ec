import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { delay, waitFor } from '../../contract-tests/messaging/wait.js';
import { InMemoryStreamStore } from '../memory/in-memory-stream-store.js';
import { startPeriodicStreamPublisher } from './periodic-stream-publisher.js';

const capturingLogger = () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
};

describe('the periodic stream publisher', () => {
  it('appends at once, then every interval, keeping about maxLen entries', async () => {
    const store = new InMemoryStreamStore();
    let ticks = 0;
    const publisher = startPeriodicStreamPublisher({
      stream: 'system:stream:health',
      maxLen: 5,
      intervalMs: 5,
      entries: () => [{ tick: String((ticks += 1)) }],
      streams: store,
      logger: capturingLogger().logger,
    });
    expect(await store.length('system:stream:health')).toBe(1);
    await waitFor(() => ticks >= 20, 5_000, 'twenty ticks');
    await publisher.stop();
    const kept = await store.length('system:stream:health');
    expect(kept).toBeGreaterThanOrEqual(5);
    expect(kept).toBeLessThan(20);
    const stoppedAt = ticks;
    await delay(30);
    expect(ticks).toBe(stoppedAt);
  });

  it('logs a failing stream once per outage and keeps trying', async () => {
    const store = new InMemoryStreamStore();
    const { logger, lines } = capturingLogger();
    let broken = true;
    let ticks = 0;
    const publisher = startPeriodicStreamPublisher({
      stream: 'monitoring:stream:metrics',
      maxLen: 3,
      intervalMs: 5,
      entries: () => {
        ticks += 1;
        if (broken) throw new Error('no snapshot');
        return [{ tick: String(ticks) }];
      },
      streams: store,
      logger,
    });
    await waitFor(() => ticks >= 10, 5_000, 'ten failing ticks');
    broken = false;
    await waitFor(async () => (await store.length('monitoring:stream:metrics')) > 0, 5_000, 'an entry after the outage');
    await publisher.stop();
    expect(lines.filter((line) => line.includes('cannot publish to the stream'))).toHaveLength(1);
    expect(lines.filter((line) => line.includes('publishing to the stream again'))).toHaveLength(1);
  });
});
