import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { StreamStore } from '../../core/messaging/streams.js';
import { describeConsumerGroupContract } from './stream-group.contract.js';
import { isBefore, numbered, numbersOf } from './stream-entries.js';
import { uniqueName } from './unique-name.js';
import { waitFor } from './wait.js';

export interface StreamStoreFixture {
  store: StreamStore;
  close(): Promise<void>;
}

/** Every StreamStore adapter runs this suite (STYLE.md 14). Stream names are unique per test. */
export function describeStreamStoreContract(adapterName: string, createFixture: () => Promise<StreamStoreFixture>): void {
  describe(`StreamStore contract: ${adapterName}`, () => {
    let fixture: StreamStoreFixture;
    let store: StreamStore;
    let stream: string;

    beforeEach(async () => {
      fixture = await createFixture();
      store = fixture.store;
      stream = uniqueName('stream');
    });
    afterEach(async () => {
      await store.remove(stream);
      await fixture.close();
    });

    describe('appending and reading', () => {
      it('gives entries ids <ms>-<seq> that strictly increase, also within one millisecond', async () => {
        const ids: string[] = [];
        for (const fields of numbered(200)) ids.push(await store.append(stream, fields));
        ids.push(...(await store.appendBatch(stream, numbered(200, 200))));

        for (const id of ids) expect(id).toMatch(/^\d+-\d+$/);
        for (let index = 1; index < ids.length; index++) expect(isBefore(ids[index - 1]!, ids[index]!)).toBe(true);
      });

      it('returns the ids of a batch in order and keeps its entries in that order', async () => {
        const ids = await store.appendBatch(stream, numbered(5));

        const entries = await store.range(stream, '-', '+');
        expect(entries.map((entry) => entry.id)).toEqual(ids);
        expect(numbersOf(entries)).toEqual(['0', '1', '2', '3', '4']);
      });

      it('reads the entries after an id, oldest first, at most count of them', async () => {
        const ids = await store.appendBatch(stream, numbered(5));

        expect(numbersOf(await store.read(stream, '0', { count: 10 }))).toEqual(['0', '1', '2', '3', '4']);
        expect(numbersOf(await store.read(stream, ids[1]!, { count: 2 }))).toEqual(['2', '3']);
        expect(await store.read(stream, ids[4]!, { count: 10 })).toEqual([]);
      });

      it("reads nothing with '$' and no blocking", async () => {
        await store.appendBatch(stream, numbered(3));

        expect(await store.read(stream, '$', { count: 10 })).toEqual([]);
      });

      it('reads nothing from a missing stream, whose length is 0', async () => {
        expect(await store.read(stream, '0', { count: 10 })).toEqual([]);
        expect(await store.range(stream, '-', '+')).toEqual([]);
        expect(await store.length(stream)).toBe(0);
      });

      it('keeps field names and values exactly', async () => {
        const fields = { text: 'Zoë 山田 🚀', empty: '', json: JSON.stringify({ a: [1, 2], b: 'c' }), spaced: '  padded  ' };
        const id = await store.append(stream, fields);

        expect(await store.read(stream, '0', { count: 1 })).toEqual([{ id, fields }]);
      });

      it('rejects an entry without fields', async () => {
        await expect(store.append(stream, {})).rejects.toThrow();
      });

      it('returns the entries between two ids inclusive, with - and + as the ends and an optional count', async () => {
        const ids = await store.appendBatch(stream, numbered(5));

        expect(numbersOf(await store.range(stream, ids[1]!, ids[3]!))).toEqual(['1', '2', '3']);
        expect(numbersOf(await store.range(stream, '-', '+', 2))).toEqual(['0', '1']);
        expect(numbersOf(await store.range(stream, ids[4]!, '+'))).toEqual(['4']);
      });

      it('counts the entries kept', async () => {
        await store.appendBatch(stream, numbered(3));
        await store.append(stream, { n: '3' });

        expect(await store.length(stream)).toBe(4);
      });

      it('removes a stream with its groups', async () => {
        await store.appendBatch(stream, numbered(3));
        await store.ensureGroup(stream, 'workers', '0');

        await store.remove(stream);

        expect(await store.length(stream)).toBe(0);
        await expect(store.readGroup(stream, 'workers', 'c1', { count: 1 })).rejects.toThrow(/group/i);
      });
    });

    describe('blocking reads', () => {
      it('wakes a blocked read when an entry is appended', async () => {
        const [firstId] = await store.appendBatch(stream, numbered(1));
        const started = Date.now();
        const reading = store.read(stream, firstId!, { count: 10, blockMs: 10_000 });

        await store.append(stream, { n: 'new' });

        expect(numbersOf(await reading)).toEqual(['new']);
        expect(Date.now() - started).toBeLessThan(8_000);
      });

      it("with '$' waits for an entry appended after the call", async () => {
        await store.append(stream, { n: 'old' });
        let settled = false;
        const reading = store.read(stream, '$', { count: 100, blockMs: 10_000 }).finally(() => {
          settled = true;
        });

        let appended = 0;
        await waitFor(
          async () => {
            if (!settled) await store.append(stream, { n: `new-${appended++}` });
            return settled;
          },
          9_000,
          'the blocked read to return',
        );

        const numbers = numbersOf(await reading);
        expect(numbers.length).toBeGreaterThan(0);
        expect(numbers).not.toContain('old');
      });

      it('returns no entries when nothing arrives in time', async () => {
        await store.append(stream, { n: 'old' });
        const started = Date.now();

        expect(await store.read(stream, '$', { count: 10, blockMs: 200 })).toEqual([]);
        expect(Date.now() - started).toBeGreaterThanOrEqual(100);
      });

      it('wakes a blocked group read when an entry is appended', async () => {
        await store.ensureGroup(stream, 'workers', '$');
        const started = Date.now();
        const reading = store.readGroup(stream, 'workers', 'c1', { count: 10, blockMs: 10_000 });

        await store.append(stream, { n: 'new' });

        expect(numbersOf(await reading)).toEqual(['new']);
        expect(Date.now() - started).toBeLessThan(8_000);
      });

      it('returns no entries to a group read when nothing arrives in time', async () => {
        await store.ensureGroup(stream, 'workers', '$');

        expect(await store.readGroup(stream, 'workers', 'c1', { count: 10, blockMs: 200 })).toEqual([]);
      });
    });

    describe('trimming (MAXLEN ~)', () => {
      it('keeps about maxLen newest entries of batches: never fewer, at most a few hundred more', async () => {
        for (let batch = 0; batch < 10; batch++) {
          await store.appendBatch(stream, numbered(100, batch * 100), { maxLen: 100 });
        }

        const length = await store.length(stream);
        expect(length).toBeGreaterThanOrEqual(100);
        expect(length).toBeLessThanOrEqual(300);
        const kept = await store.range(stream, '-', '+');
        expect(kept.at(-1)!.fields.n).toBe('999');
        expect(Number(kept[0]!.fields.n)).toBe(1000 - length);
      });

      it('keeps about maxLen newest entries of single appends', async () => {
        for (const fields of numbered(400)) await store.append(stream, fields, { maxLen: 50 });

        const length = await store.length(stream);
        expect(length).toBeGreaterThanOrEqual(50);
        expect(length).toBeLessThanOrEqual(250);
        expect((await store.range(stream, '-', '+')).at(-1)!.fields.n).toBe('399');
      });

      it('never trims a stream shorter than maxLen', async () => {
        await store.appendBatch(stream, numbered(10), { maxLen: 20 });

        expect(await store.length(stream)).toBe(10);
      });
    });

    describeConsumerGroupContract(() => ({ store, stream }));
  });
}
