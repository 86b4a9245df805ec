import { describe, it, expect } from 'vitest';
import type { StreamStore } from '../../core/messaging/streams.js';
import { numbered } from './stream-entries.js';
import { waitFor } from './wait.js';

interface GroupContext {
  readonly store: StreamStore;
  readonly stream: string;
}

/** The consumer-group half of the StreamStore suite; `context` gives the current test's store and stream. */
export function describeConsumerGroupContract(context: () => GroupContext): void {
  const idleAtLeast = async (minIdleMs: number): Promise<void> => {
    const { store, stream } = context();
    await waitFor(
      async () => (await store.pending(stream, 'workers')).every((entry) => entry.idleMs >= minIdleMs),
      10_000,
      `pending entries idle for ${minIdleMs} ms`,
    );
  };

  describe('consumer groups', () => {
    it('hands each entry to exactly one consumer of a group', async () => {
      const { store, stream } = context();
      await store.ensureGroup(stream, 'workers', '0');
      await store.appendBatch(stream, numbered(10));

      const byConsumer: Record<string, string[]> = { c1: [], c2: [] };
      for (let round = 0; round < 10; round++) {
        for (const consumer of ['c1', 'c2']) {
          const entries = await store.readGroup(stream, 'workers', consumer, { count: 3 });
          byConsumer[consumer]!.push(...entries.map((entry) => entry.fields.n!));
        }
      }

      expect(byConsumer.c1!.length).toBeGreaterThan(0);
      expect(byConsumer.c2!.length).toBeGreaterThan(0);
      expect([...byConsumer.c1!, ...byConsumer.c2!].sort((a, b) => Number(a) - Number(b))).toEqual(numbered(10).map((fields) => fields.n));
    });

    it('lets every group see every entry', async () => {
      const { store, stream } = context();
      await store.ensureGroup(stream, 'mailers', '0');
      await store.ensureGroup(stream, 'auditors', '0');
      await store.appendBatch(stream, numbered(3));

      const mailers = await store.readGroup(stream, 'mailers', 'm1', { count: 10 });
      const auditors = await store.readGroup(stream, 'auditors', 'a1', { count: 10 });

      expect(mailers.map((entry) => entry.fields.n)).toEqual(['0', '1', '2']);
      expect(auditors.map((entry) => entry.fields.n)).toEqual(['0', '1', '2']);
    });

    it("starts a group at '0' with the entries already there, at '$' (the default) with later ones only", async () => {
      const { store, stream } = context();
      await store.appendBatch(stream, numbered(2));
      await store.ensureGroup(stream, 'from-start', '0');
      await store.ensureGroup(stream, 'from-now', '$');
      await store.ensureGroup(stream, 'by-default');
      await store.append(stream, { n: 'later' });

      const read = async (group: string) => (await store.readGroup(stream, group, 'c1', { count: 10 })).map((entry) => entry.fields.n);
      expect(await read('from-start')).toEqual(['0', '1', 'later']);
      expect(await read('from-now')).toEqual(['later']);
      expect(await read('by-default')).toEqual(['later']);
    });

    it('ensures a group idempotently, without moving an existing group', async () => {
      const { store, stream } = context();
      await store.ensureGroup(stream, 'workers', '0');
      await store.appendBatch(stream, numbered(2));
      const first = await store.readGroup(stream, 'workers', 'c1', { count: 1 });

      await store.ensureGroup(stream, 'workers', '0');
      await store.ensureGroup(stream, 'workers', '$');

      const second = await store.readGroup(stream, 'workers', 'c1', { count: 10 });
      expect(first.map((entry) => entry.fields.n)).toEqual(['0']);
      expect(second.map((entry) => entry.fields.n)).toEqual(['1']);
    });

    it('creates the stream of a new group', async () => {
      const { store, stream } = context();
      await store.ensureGroup(stream, 'workers', '0');

      expect(await store.readGroup(stream, 'workers', 'c1', { count: 10 })).toEqual([]);
      expect(await store.length(stream)).toBe(0);
    });

    it('fails clearly when reading with a group that does not exist', async () => {
      const { store, stream } = context();
      await expect(store.readGroup(stream, 'nobody', 'c1', { count: 1 })).rejects.toThrow(/group/i);
      await store.append(stream, { n: '0' });
      await expect(store.readGroup(stream, 'nobody', 'c1', { count: 1 })).rejects.toThrow(/group/i);
    });

    it('keeps read entries pending for their consumer, oldest first, and does not hand them out again', async () => {
      const { store, stream } = context();
      await store.ensureGroup(stream, 'workers', '0');
      const ids = await store.appendBatch(stream, numbered(3));
      await store.readGroup(stream, 'workers', 'c1', { count: 2 });
      await store.readGroup(stream, 'workers', 'c2', { count: 1 });

      const pending = await store.pending(stream, 'workers');
      expect(pending.map(({ id, consumer, deliveries }) => ({ id, consumer, deliveries }))).toEqual([
        { id: ids[0], consumer: 'c1', deliveries: 1 },
        { id: ids[1], consumer: 'c1', deliveries: 1 },
        { id: ids[2], consumer: 'c2', deliveries: 1 },
      ]);
      for (const entry of pending) expect(entry.idleMs).toBeGreaterThanOrEqual(0);
      expect((await store.pending(stream, 'workers', 1)).map((entry) => entry.id)).toEqual([ids[0]]);
      expect(await store.readGroup(stream, 'workers', 'c3', { count: 10 })).toEqual([]);
    });

    it('clears acked entries from the pending list; acking twice is harmless', async () => {
      const { store, stream } = context();
      await store.ensureGroup(stream, 'workers', '0');
      const ids = await store.appendBatch(stream, numbered(2));
      await store.readGroup(stream, 'workers', 'c1', { count: 2 });

      expect(await store.ack(stream, 'workers', [ids[0]!])).toBe(1);
      expect(await store.ack(stream, 'workers', [ids[0]!])).toBe(0);
      expect(await store.ack(stream, 'workers', [ids[0]!, ids[1]!])).toBe(1);
      expect(await store.pending(stream, 'workers')).toEqual([]);
    });

    it('hands entries idle long enough to another consumer, counting the delivery', async () => {
      const { store, stream } = context();
      await store.ensureGroup(stream, 'workers', '0');
      const ids = await store.appendBatch(stream, numbered(2));
      await store.readGroup(stream, 'workers', 'crashed', { count: 2 });
      await idleAtLeast(100);

      const claimed = await store.claimIdle(stream, 'workers', 'rescuer', 100, 10);

      expect(claimed).toEqual([
        { id: ids[0], fields: { n: '0' }, deliveries: 2 },
        { id: ids[1], fields: { n: '1' }, deliveries: 2 },
      ]);
      const pending = await store.pending(stream, 'workers');
      expect(pending.map(({ consumer, deliveries }) => ({ consumer, deliveries }))).toEqual([
        { consumer: 'rescuer', deliveries: 2 },
        { consumer: 'rescuer', deliveries: 2 },
      ]);
    });

    it('claims at most count idle entries, oldest first', async () => {
      const { store, stream } = context();
      await store.ensureGroup(stream, 'workers', '0');
      await store.appendBatch(stream, numbered(3));
      await store.readGroup(stream, 'workers', 'crashed', { count: 3 });
      await idleAtLeast(50);

      const claimed = await store.claimIdle(stream, 'workers', 'rescuer', 50, 2);

      expect(claimed.map((entry) => entry.fields.n)).toEqual(['0', '1']);
    });

    it('leaves entries that are not idle long enough', async () => {
      const { store, stream } = context();
      await store.ensureGroup(stream, 'workers', '0');
      await store.append(stream, { n: '0' });
      await store.readGroup(stream, 'workers', 'busy', { count: 1 });

      expect(await store.claimIdle(stream, 'workers', 'rescuer', 60_000, 10)).toEqual([]);
      const [entry] = await store.pending(stream, 'workers');
      expect(entry).toMatchObject({ consumer: 'busy', deliveries: 1 });
    });

    it('resets the idle time of a kept claim without counting a delivery', async () => {
      const { store, stream } = context();
      await store.ensureGroup(stream, 'workers', '0');
      const id = await store.append(stream, { n: '0' });
      await store.readGroup(stream, 'workers', 'slow', { count: 1 });
      await idleAtLeast(500);

      await store.keepClaim(stream, 'workers', 'slow', [id]);

      const [entry] = await store.pending(stream, 'workers');
      expect(entry).toMatchObject({ id, consumer: 'slow', deliveries: 1 });
      expect(entry!.idleMs).toBeLessThan(500);
      expect(await store.claimIdle(stream, 'workers', 'rescuer', 500, 10)).toEqual([]);
    });

    it('keeps a claim only on entries still pending for that consumer', async () => {
      const { store, stream } = context();
      await store.ensureGroup(stream, 'workers', '0');
      const id = await store.append(stream, { n: '0' });
      await store.readGroup(stream, 'workers', 'slow', { count: 1 });
      await idleAtLeast(50);
      await store.claimIdle(stream, 'workers', 'rescuer', 50, 10);

      await store.keepClaim(stream, 'workers', 'slow', [id]);

      const [entry] = await store.pending(stream, 'workers');
      expect(entry).toMatchObject({ id, consumer: 'rescuer', deliveries: 2 });
    });

    it('drops pending entries that trimming deleted instead of claiming them', async () => {
      const { store, stream } = context();
      await store.ensureGroup(stream, 'workers', '0');
      const trimmedId = await store.append(stream, { n: 'doomed' });
      await store.readGroup(stream, 'workers', 'crashed', { count: 1 });
      for (let batch = 0; batch < 4; batch++) await store.appendBatch(stream, numbered(100, batch * 100), { maxLen: 1 });
      expect(await store.range(stream, trimmedId, trimmedId)).toEqual([]);

      const claimed = await store.claimIdle(stream, 'workers', 'rescuer', 0, 10);

      expect(claimed.map((entry) => entry.id)).not.toContain(trimmedId);
      expect((await store.pending(stream, 'workers')).map((entry) => entry.id)).not.toContain(trimmedId);
    });
  });
}
