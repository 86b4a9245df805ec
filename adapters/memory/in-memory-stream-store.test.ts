import { describe, it, expect } from 'vitest';
import { InMemoryStreamStore } from './in-memory-stream-store.js';

/** A clock the test moves by hand. */
const manualClock = (start: number) => {
  let time = start;
  return { now: () => time, set: (ms: number) => (time = ms), advance: (ms: number) => (time += ms) };
};

const setUp = (start = 1_000) => {
  const clock = manualClock(start);
  return { clock, store: new InMemoryStreamStore(clock) };
};

describe('InMemoryStreamStore', () => {
  describe('entry ids', () => {
    it('takes the clock millisecond and counts up the sequence within it', async () => {
      const { clock, store } = setUp(1_000);

      const sameMs = [await store.append('s', { n: '0' }), await store.append('s', { n: '1' })];
      clock.advance(5);
      const later = await store.append('s', { n: '2' });

      expect([...sameMs, later]).toEqual(['1000-0', '1000-1', '1005-0']);
    });

    it('keeps ids increasing when the clock goes back', async () => {
      const { clock, store } = setUp(1_000);
      await store.append('s', { n: '0' });

      clock.set(900);

      expect(await store.append('s', { n: '1' })).toBe('1000-1');
    });

    it('never gives 0-0, as Redis does not', async () => {
      const { store } = setUp(0);

      expect(await store.append('s', { n: '0' })).toBe('0-1');
    });

    it('reads a bare millisecond as the whole millisecond in a range', async () => {
      const { clock, store } = setUp(1_000);
      await store.appendBatch('s', [{ n: '0' }, { n: '1' }]);
      clock.advance(1);
      await store.append('s', { n: '2' });

      expect((await store.range('s', '1000', '1000')).map((entry) => entry.fields.n)).toEqual(['0', '1']);
    });

    it('rejects an id that is not <ms>-<seq>', async () => {
      const { store } = setUp();

      await expect(store.read('s', 'yesterday', { count: 1 })).rejects.toThrow(/Invalid stream ID/);
    });
  });

  describe('storage', () => {
    it('trims exactly to maxLen, also over many appends', async () => {
      const { store } = setUp();

      for (let index = 0; index < 5_000; index++) await store.append('s', { n: String(index) }, { maxLen: 10 });

      expect(await store.length('s')).toBe(10);
      const kept = await store.range('s', '-', '+');
      expect(kept.map((entry) => entry.fields.n)).toEqual(Array.from({ length: 10 }, (_, index) => String(4_990 + index)));
    });

    it('keeps its own copy of the fields', async () => {
      const { store } = setUp();
      const fields: Record<string, string> = { n: 'original' };
      await store.append('s', fields);

      fields.n = 'changed';

      expect((await store.range('s', '-', '+'))[0]!.fields).toEqual({ n: 'original' });
    });
  });

  describe('idle times by the clock', () => {
    it('claims an entry once it has been idle exactly minIdleMs', async () => {
      const { clock, store } = setUp();
      await store.ensureGroup('s', 'g', '0');
      await store.append('s', { n: '0' });
      await store.readGroup('s', 'g', 'c1', { count: 1 });

      clock.advance(999);
      expect(await store.claimIdle('s', 'g', 'c2', 1_000, 10)).toEqual([]);
      clock.advance(1);
      expect((await store.claimIdle('s', 'g', 'c2', 1_000, 10)).map((entry) => entry.deliveries)).toEqual([2]);
      expect(await store.pending('s', 'g')).toEqual([{ id: '1000-0', consumer: 'c2', idleMs: 0, deliveries: 2 }]);
    });

    it('restarts the idle time of a kept claim at zero', async () => {
      const { clock, store } = setUp();
      await store.ensureGroup('s', 'g', '0');
      const id = await store.append('s', { n: '0' });
      await store.readGroup('s', 'g', 'c1', { count: 1 });
      clock.advance(700);

      await store.keepClaim('s', 'g', 'c1', [id]);
      clock.advance(300);

      expect(await store.pending('s', 'g')).toEqual([{ id, consumer: 'c1', idleMs: 300, deliveries: 1 }]);
    });
  });

  describe('blocked readers', () => {
    it('serves blocked group readers in the order they arrived', async () => {
      const { store } = setUp();
      await store.ensureGroup('s', 'g', '$');
      const first = store.readGroup('s', 'g', 'c1', { count: 1, blockMs: 10_000 });
      const second = store.readGroup('s', 'g', 'c2', { count: 1, blockMs: 10_000 });

      await store.append('s', { n: 'a' });
      await store.append('s', { n: 'b' });

      expect((await first).map((entry) => entry.fields.n)).toEqual(['a']);
      expect((await second).map((entry) => entry.fields.n)).toEqual(['b']);
    });

    it('fails a blocked group read when its stream is removed', async () => {
      const { store } = setUp();
      await store.ensureGroup('s', 'g', '$');
      const reading = store.readGroup('s', 'g', 'c1', { count: 1, blockMs: 10_000 });

      await store.remove('s');

      await expect(reading).rejects.toThrow(/NOGROUP/);
    });

    it('releases blocked readers with no entries on close, and refuses calls afterwards', async () => {
      const { store } = setUp();
      await store.ensureGroup('s', 'g', '$');
      const reading = store.read('s', '$', { count: 1, blockMs: 60_000 });
      const groupReading = store.readGroup('s', 'g', 'c1', { count: 1, blockMs: 60_000 });

      await store.close();

      expect(await reading).toEqual([]);
      expect(await groupReading).toEqual([]);
      await expect(store.append('s', { n: '0' })).rejects.toThrow(/closed/);
      await store.close();
    });
  });

  describe('as Redis answers', () => {
    it('acks nothing for a missing group, but fails other group commands', async () => {
      const { store } = setUp();
      await store.append('s', { n: '0' });

      expect(await store.ack('s', 'nobody', ['1000-0'])).toBe(0);
      await expect(store.pending('s', 'nobody')).rejects.toThrow(/NOGROUP/);
      await expect(store.claimIdle('s', 'nobody', 'c', 0, 1)).rejects.toThrow(/NOGROUP/);
      await expect(store.keepClaim('s', 'nobody', 'c', ['1000-0'])).rejects.toThrow(/NOGROUP/);
    });

    it('rejects a negative maxLen', async () => {
      const { store } = setUp();

      await expect(store.append('s', { n: '0' }, { maxLen: -1 })).rejects.toThrow(RangeError);
    });
  });
});
