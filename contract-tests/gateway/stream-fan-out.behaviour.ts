import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StreamFanOut } from '../../core/gateway/index.js';
import type { ReadOptions, StreamEntry, StreamFields, StreamReader } from '../../core/messaging/streams.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { uniqueName } from '../messaging/unique-name.js';
import { delay, waitFor } from '../messaging/wait.js';

/** Where the fan-out reads: a stream store per process (each with its own connections) over one shared log. */
export interface FanOutFixture {
  /** A reader as one gateway process would have it. */
  openReader(): StreamReader;
  append(stream: string, entries: readonly StreamFields[]): Promise<void>;
  close(): Promise<void>;
}

/** How far back a new reader starts (see StreamFanOutOptions): short, the test store's clock is this process's. */
const START_BACK_MS = 50;

/** The reader of one process, counting the reads in flight per stream, and failing on demand. */
class CountingReader implements StreamReader {
  readonly inFlight = new Map<string, number>();
  maxInFlight = 0;
  failNext = 0;

  constructor(private readonly reader: StreamReader) {}

  async read(stream: string, afterId: string, options: ReadOptions): Promise<StreamEntry[]> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('connection lost');
    }
    const now = (this.inFlight.get(stream) ?? 0) + 1;
    this.inFlight.set(stream, now);
    this.maxInFlight = Math.max(this.maxInFlight, now);
    try {
      return await this.reader.read(stream, afterId, options);
    } finally {
      this.inFlight.set(stream, (this.inFlight.get(stream) ?? 1) - 1);
    }
  }

  range(stream: string, fromId: string, toId: string, count?: number): Promise<StreamEntry[]> {
    return this.reader.range(stream, fromId, toId, count);
  }

  length(stream: string): Promise<number> {
    return this.reader.length(stream);
  }
}

const collector = () => {
  const seen: string[] = [];
  let ended = 0;
  return {
    seen,
    ended: () => ended,
    tap: {
      onEntries: (entries: readonly StreamEntry[]) => seen.push(...entries.map((entry) => entry.fields['n']!)),
      onEnd: () => (ended += 1),
    },
  };
};

/** What the gateway relies on when it fans a stream out to the sockets of one instance (StreamFanOut on a StreamReader). */
export const describeStreamFanOutBehaviour = (name: string, open: () => Promise<FanOutFixture>): void => {
  describe(`StreamFanOut on ${name}`, () => {
    let fixture: FanOutFixture;
    const fanOuts: StreamFanOut[] = [];
    const faults: unknown[] = [];
    const fanOutOn = (reader: StreamReader) => {
      const fanOut = new StreamFanOut(
        { streams: reader, clock: new SystemClock(), sleep: (ms) => delay(ms), reportFault: (error) => faults.push(error) },
        { blockMs: 50, retryDelayMs: 10, startBackMs: START_BACK_MS },
      );
      fanOuts.push(fanOut);
      return fanOut;
    };
    const append = (stream: string, ...values: string[]) =>
      fixture.append(
        stream,
        values.map((n) => ({ n })),
      );

    beforeEach(async () => {
      fixture = await open();
    });
    afterEach(async () => {
      await Promise.all(fanOuts.splice(0).map((fanOut) => fanOut.close()));
      await fixture.close();
    });

    it('delivers every entry appended after the first tap joined, even before its first read reached the store', async () => {
      const stream = uniqueName('join');
      const fanOut = fanOutOn(fixture.openReader());
      const x = collector();
      fanOut.follow(stream, x.tap);
      await append(stream, 'at once');
      await waitFor(() => x.seen.length === 1, 5_000, 'the entry appended at once');
      await delay(150); // several reads time out with nothing new: no gap between them
      await append(stream, 'after quiet');
      await waitFor(() => x.seen.length === 2, 5_000, 'the entry after a quiet spell');
      expect(x.seen).toEqual(['at once', 'after quiet']);
    });

    it('delivers every new entry to every tap with one reader per stream', async () => {
      const stream = uniqueName('fan-out');
      const reader = new CountingReader(fixture.openReader());
      const fanOut = fanOutOn(reader);
      const [a, b, c] = [collector(), collector(), collector()];
      fanOut.follow(stream, a.tap);
      fanOut.follow(stream, b.tap);
      fanOut.follow(stream, c.tap);

      await append(stream, '1', '2');
      await append(stream, '3');

      await waitFor(() => [a, b, c].every((x) => x.seen.length === 3), 5_000, 'three entries at each tap');
      expect([a.seen, b.seen, c.seen]).toEqual([
        ['1', '2', '3'],
        ['1', '2', '3'],
        ['1', '2', '3'],
      ]);
      expect(reader.maxInFlight).toBe(1);
      expect(fanOut.readers).toEqual([stream]);
    });

    it('starts when the first tap joins: older entries are not replayed', async () => {
      const stream = uniqueName('old');
      await append(stream, 'before');
      await delay(START_BACK_MS * 3);
      const reader = new CountingReader(fixture.openReader());
      const fanOut = fanOutOn(reader);
      const x = collector();
      fanOut.follow(stream, x.tap);
      await append(stream, 'after');
      await waitFor(() => x.seen.length > 0, 5_000, 'the new entry');
      expect(x.seen).toEqual(['after']);
    });

    it('stops reading when the last tap leaves, and starts again for a new one', async () => {
      const stream = uniqueName('leave');
      const reader = new CountingReader(fixture.openReader());
      const fanOut = fanOutOn(reader);
      const x = collector();
      const leaveA = fanOut.follow(stream, x.tap);
      const leaveB = fanOut.follow(stream, collector().tap);

      leaveA();
      expect(fanOut.readers).toEqual([stream]);
      leaveB();
      expect(fanOut.readers).toEqual([]);
      await waitFor(() => (reader.inFlight.get(stream) ?? 0) === 0, 5_000, 'the last read to end');
      await append(stream, 'unseen');
      await delay(100);
      expect(x.seen).toEqual([]);

      const y = collector();
      fanOut.follow(stream, y.tap);
      await append(stream, 'seen');
      await waitFor(() => y.seen.length === 1, 5_000, 'the entry after following again');
      expect(y.seen).toEqual(['seen']);
    });

    it('on finish, delivers what is left, ends the taps and ends later followers at once', async () => {
      const stream = uniqueName('finish');
      const reader = new CountingReader(fixture.openReader());
      const fanOut = fanOutOn(reader);
      const x = collector();
      fanOut.follow(stream, x.tap);
      await append(stream, '1', '2');

      await fanOut.finish(stream);

      expect(x.seen).toEqual(['1', '2']);
      expect(x.ended()).toBe(1);
      expect(fanOut.readers).toEqual([]);
      const late = collector();
      fanOut.follow(stream, late.tap);
      expect(late.ended()).toBe(1);
    });

    it('gives every process its own copy: two fan-outs on their own connections both see every entry', async () => {
      const stream = uniqueName('two');
      const [firstReader, secondReader] = [new CountingReader(fixture.openReader()), new CountingReader(fixture.openReader())];
      const [first, second] = [fanOutOn(firstReader), fanOutOn(secondReader)];
      const [x, y] = [collector(), collector()];
      first.follow(stream, x.tap);
      second.follow(stream, y.tap);

      for (let batch = 0; batch < 5; batch += 1) await append(stream, ...Array.from({ length: 40 }, (_, i) => String(batch * 40 + i)));

      await waitFor(() => x.seen.length === 200 && y.seen.length === 200, 10_000, 'every entry on both');
      expect(x.seen).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
      expect(y.seen).toEqual(x.seen);
    });

    it('keeps reading after a failed read, from where it was', async () => {
      const stream = uniqueName('faulty');
      const reader = new CountingReader(fixture.openReader());
      const fanOut = fanOutOn(reader);
      const x = collector();
      fanOut.follow(stream, x.tap);
      await append(stream, '1');
      await waitFor(() => x.seen.length === 1, 5_000, 'the first entry');

      reader.failNext = 2;
      await append(stream, '2', '3');

      await waitFor(() => x.seen.length === 3, 5_000, 'the entries after the failures');
      expect(x.seen).toEqual(['1', '2', '3']);
      expect(faults.length).toBeGreaterThan(0);
    });

    it('keeps delivering to the other taps when one throws', async () => {
      const stream = uniqueName('throws');
      const reader = new CountingReader(fixture.openReader());
      const fanOut = fanOutOn(reader);
      const x = collector();
      fanOut.follow(stream, {
        onEntries: () => {
          throw new Error('a broken tap');
        },
      });
      fanOut.follow(stream, x.tap);
      await append(stream, '1');
      await waitFor(() => x.seen.length === 1, 5_000, 'the entry at the working tap');
      expect(x.seen).toEqual(['1']);
    });

    describe('resuming from a last entry id (docs/adr/0051)', () => {
      const idOf = async (reader: StreamReader, stream: string, n: string): Promise<string> =>
        (await reader.range(stream, '-', '+')).find((entry) => entry.fields['n'] === n)!.id;

      it('delivers what the stream holds after the id, then the live entries, in order, once, beside a live tap', async () => {
        const stream = uniqueName('resume');
        const reader = new CountingReader(fixture.openReader());
        const fanOut = fanOutOn(reader);
        const live = collector();
        fanOut.follow(stream, live.tap);
        await append(stream, '1', '2');
        await waitFor(() => live.seen.length === 2, 5_000, 'the live tap to see two');
        const lastSeen = await idOf(reader, stream, '2');
        await append(stream, '3', '4', '5');

        const resumed = collector();
        fanOut.follow(stream, resumed.tap, { after: lastSeen });
        await append(stream, '6');

        await waitFor(() => resumed.seen.length >= 4 && live.seen.length === 6, 5_000, 'both taps to see everything');
        await delay(100);
        expect(resumed.seen).toEqual(['3', '4', '5', '6']);
        expect(live.seen).toEqual(['1', '2', '3', '4', '5', '6']);
        expect(fanOut.readers).toEqual([stream]);
      });

      it('misses nothing and repeats nothing while a writer keeps appending during the catch-up', async () => {
        const stream = uniqueName('resume-busy');
        const reader = new CountingReader(fixture.openReader());
        const fanOut = fanOutOn(reader);
        await append(stream, '0');
        const lastSeen = await idOf(reader, stream, '0');
        for (let batch = 0; batch < 4; batch += 1)
          await append(stream, ...Array.from({ length: 300 }, (_, i) => String(1 + batch * 300 + i)));

        const resumed = collector();
        fanOut.follow(stream, resumed.tap, { after: lastSeen });
        for (let n = 1201; n <= 1300; n += 10) await append(stream, ...Array.from({ length: 10 }, (_, i) => String(n + i)));

        await waitFor(() => resumed.seen.length >= 1300, 10_000, 'every entry after the last seen');
        await delay(100);
        expect(resumed.seen).toEqual(Array.from({ length: 1300 }, (_, i) => String(i + 1)));
      });

      it('delivers the rest of a finished stream, then ends the tap', async () => {
        const stream = uniqueName('resume-finished');
        const reader = new CountingReader(fixture.openReader());
        const fanOut = fanOutOn(reader);
        await append(stream, '1', '2', '3');
        await fanOut.finish(stream);
        const lastSeen = await idOf(reader, stream, '1');

        const resumed = collector();
        fanOut.follow(stream, resumed.tap, { after: lastSeen });

        await waitFor(() => resumed.ended() === 1, 5_000, 'the resumed tap to end');
        expect(resumed.seen).toEqual(['2', '3']);
      });

      it('delivers nothing more once unfollowed', async () => {
        const stream = uniqueName('resume-stop');
        const reader = new CountingReader(fixture.openReader());
        const fanOut = fanOutOn(reader);
        await append(stream, '1');
        const resumed = collector();
        const stop = fanOut.follow(stream, resumed.tap, { after: '0-0' });
        await waitFor(() => resumed.seen.length === 1, 5_000, 'the first entry');
        stop();
        await append(stream, '2');
        await delay(150);
        expect(resumed.seen).toEqual(['1']);
      });
    });
  });
};
