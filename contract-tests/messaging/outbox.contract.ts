import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryEventBus } from '../../adapters/memory/in-memory-event-bus.js';
import { formatTraceparent, parseTraceparent, startTrace } from '../../adapters/observability/trace-context.js';
import { currentTrace, runInTrace } from '../../adapters/observability/trace-context-scope.js';
import type { DomainEvent, EventPublisher } from '../../core/messaging/events.js';
import { outboxEvent, type OutboxEntry, type OutboxStore } from '../../core/messaging/outbox.js';
import { OutboxRelay, type OutboxRelayDeps } from '../../core/messaging/outbox-relay.js';
import type { ProjectRepository } from '../../core/project/ports.js';
import { aProject } from '../project/builders.js';
import { waitFor } from './wait.js';

/** A project repository and the outbox its writes record into, on one storage, starting empty. */
export interface OutboxFixture {
  readonly repo: ProjectRepository;
  readonly outbox: OutboxStore;
  close(): Promise<void>;
}

const note = (text: string) => outboxEvent('project:events:test', { type: text, timestamp: 1 });

/** Hands over every entry of one round and marks them all sent. */
const takeRound = async (outbox: OutboxStore): Promise<OutboxEntry[]> => {
  const handed: OutboxEntry[] = [];
  await outbox.relay(100, async (entries) => {
    handed.push(...entries);
    return entries.map((entry) => entry.id);
  });
  return handed;
};

const typesOf = (entries: readonly OutboxEntry[]) =>
  entries.map((entry) => (entry.message.kind === 'event' ? entry.message.event.type : entry.message.kind));

/**
 * The transactional outbox (docs/adr/0038), run against every storage: memory, PGlite and
 * PostgreSQL. Recording goes through the project repository, as the use cases do, so the suite
 * also proves the write and its messages are stored together or not at all.
 */
export function describeOutboxContract(adapterName: string, createFixture: () => Promise<OutboxFixture>): void {
  describe(`Outbox contract: ${adapterName}`, () => {
    let fixture: OutboxFixture;
    let outbox: OutboxStore;

    beforeEach(async () => {
      fixture = await createFixture();
      outbox = fixture.outbox;
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('records the messages of a write and hands each over once, with a unique id and the aggregate', async () => {
      const project = aProject();
      await fixture.repo.create(project, [note('first'), note('second')]);
      expect(await outbox.pendingCount()).toBe(2);

      const first = await takeRound(outbox);
      const second = await takeRound(outbox);
      const third = await takeRound(outbox);

      expect([...first, ...second].map((entry) => entry.aggregate)).toEqual([`project:${project.id}`, `project:${project.id}`]);
      expect(typesOf([...first, ...second])).toEqual(['first', 'second']);
      expect(new Set([...first, ...second].map((entry) => entry.id)).size).toBe(2);
      expect(first[0]!.message).toEqual(note('first'));
      expect(third).toEqual([]);
      expect(await outbox.pendingCount()).toBe(0);
    });

    it('records nothing for a write that is refused or fails', async () => {
      const project = aProject();
      await fixture.repo.create(project);
      await expect(fixture.repo.create(project, [note('duplicate')])).rejects.toThrow();
      expect((await fixture.repo.update({ ...project, version: 7 }, [note('stale')])).ok).toBe(false);
      expect((await fixture.repo.update({ ...aProject(), version: 1 }, [note('unknown')])).ok).toBe(false);
      expect(await fixture.repo.delete(aProject().id, [note('nothing deleted')])).toBe(false);

      expect(await outbox.pendingCount()).toBe(0);
      expect(await takeRound(outbox)).toEqual([]);
    });

    it('records with every write that is stored: create, update and delete', async () => {
      const project = aProject();
      await fixture.repo.create(project, [note('created')]);
      const updated = await fixture.repo.update({ ...project, name: 'Renamed' }, [note('updated')]);
      expect(updated.ok).toBe(true);
      expect(await fixture.repo.delete(project.id, [note('deleted')])).toBe(true);

      const handed = [...(await takeRound(outbox)), ...(await takeRound(outbox)), ...(await takeRound(outbox))];
      expect(typesOf(handed)).toEqual(['created', 'updated', 'deleted']);
    });

    it('hands over one entry per aggregate per round, oldest first, so an aggregate goes out in order', async () => {
      const a = aProject();
      const b = aProject();
      await fixture.repo.create(a, [note('a1')]);
      await fixture.repo.create(b, [note('b1')]);
      await fixture.repo.update({ ...a, name: 'A two' }, [note('a2'), note('a3')]);

      expect(typesOf(await takeRound(outbox))).toEqual(['a1', 'b1']);
      expect(typesOf(await takeRound(outbox))).toEqual(['a2']);
      expect(typesOf(await takeRound(outbox))).toEqual(['a3']);
    });

    it('keeps an entry the work did not send, and one whose work failed, for the next round', async () => {
      const a = aProject();
      const b = aProject();
      await fixture.repo.create(a, [note('a1')]);
      await fixture.repo.create(b, [note('b1')]);

      await outbox.relay(100, async (entries) => entries.filter((entry) => entry.aggregate === `project:${a.id}`).map((entry) => entry.id));
      await expect(outbox.relay(100, () => Promise.reject(new Error('redis away')))).rejects.toThrow('redis away');

      expect(await outbox.pendingCount()).toBe(1);
      expect(typesOf(await takeRound(outbox))).toEqual(['b1']);
    });

    it('does not hand an entry to a second relay while the first holds it', async () => {
      await fixture.repo.create(aProject(), [note('only')]);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let firstGot: OutboxEntry[] = [];
      const first = outbox.relay(100, async (entries) => {
        firstGot = [...entries];
        await held;
        return entries.map((entry) => entry.id);
      });
      await waitFor(() => firstGot.length === 1, 5_000, 'the first relay to be handed the entry');

      const secondGot = await takeRound(outbox);
      release();
      await first;

      expect(secondGot).toEqual([]);
      expect(await outbox.pendingCount()).toBe(0);
    });

    it('prunes entries sent before a time and keeps pending ones', async () => {
      await fixture.repo.create(aProject(), [note('sent')]);
      await fixture.repo.create(aProject(), [note('pending')]);
      await outbox.relay(100, async (entries) => entries.filter((entry) => typesOf([entry])[0] === 'sent').map((entry) => entry.id));

      expect(await outbox.pruneSent(0)).toBe(0);
      expect(await outbox.pruneSent(Date.now() + 60_000)).toBe(1);
      expect(typesOf(await takeRound(outbox))).toEqual(['pending']);
    });

    it('tells its listeners after a write that recorded, and not after one that was refused', async () => {
      let told = 0;
      const stop = outbox.onRecorded(() => (told += 1));
      const project = aProject();
      await fixture.repo.create(project, [note('created')]);
      await waitFor(() => told === 1, 5_000, 'the listener to be told');
      await fixture.repo.update({ ...project, version: 9 }, [note('stale')]);
      stop();
      await fixture.repo.create(aProject(), [note('after stop')]);
      await new Promise((resolve) => setTimeout(resolve, 20));

      expect(told).toBe(1);
    });

    it('keeps the trace of the work that recorded an entry, and wakes its listeners outside that work (docs/adr/0048)', async () => {
      const trace = startTrace();
      let wokenIn: unknown = 'not woken';
      outbox.onRecorded(() => (wokenIn = currentTrace()));
      await runInTrace(trace, () => fixture.repo.create(aProject(), [note('traced')]));
      await fixture.repo.create(aProject(), [note('untraced')]);
      await waitFor(() => wokenIn !== 'not woken', 5_000, 'the listener to be told');

      const handed = await takeRound(outbox);
      expect(handed.map((entry) => [entry.message.kind === 'event' && entry.message.event.type, entry.context])).toEqual([
        ['traced', formatTraceparent(trace)],
        ['untraced', undefined],
      ]);
      expect(wokenIn).toBeUndefined();
    });

    describe('with the relay', () => {
      const received: DomainEvent[] = [];
      let relay: OutboxRelay | undefined;
      beforeEach(() => {
        received.length = 0;
      });
      afterEach(async () => {
        await relay?.stop();
      });

      const startRelay = (events: EventPublisher, inRecordedContext?: OutboxRelayDeps['inRecordedContext']) => {
        relay = new OutboxRelay(
          {
            outbox,
            events,
            ...(inRecordedContext && { inRecordedContext }),
            jobs: { enqueue: async () => 'x', work: () => Promise.reject(new Error('unused')), deadLetters: async () => [] },
            streams: { append: async () => 'x', appendBatch: async () => [] },
            clock: { now: () => Date.now() },
            onSendFailure: () => undefined,
          },
          { minBackoffMs: 10, maxBackoffMs: 40, pollMs: 60_000 },
        );
        relay.start();
        return relay;
      };

      it('publishes each event right after its write, with the entry id as event_id, in order per aggregate', async () => {
        const bus = new InMemoryEventBus();
        await bus.subscribe('project:events:test', (event) => void received.push(event));
        startRelay(bus);
        const project = aProject();
        await fixture.repo.create(project, [note('created')]);
        for (let version = 1; version <= 5; version += 1) {
          await fixture.repo.update({ ...project, version, name: `v${version}` }, [note(`updated ${version}`)]);
        }

        await waitFor(() => received.length === 6, 15_000, 'six events');
        expect(received.map((event) => event.type)).toEqual(['created', 'updated 1', 'updated 2', 'updated 3', 'updated 4', 'updated 5']);
        expect(new Set(received.map((event) => event.event_id)).size).toBe(6);
        // Marked sent just after the send: wait for the mark, not only for the delivery.
        await waitFor(async () => (await outbox.pendingCount()) === 0, 15_000, 'the entries to be marked sent');
      });

      it('sends each entry in the context it was recorded in', async () => {
        const trace = startTrace();
        const sentIn = new Map<string, unknown>();
        startRelay({ publish: async (_channel, event) => void sentIn.set(event.type, currentTrace()) }, (context, send) =>
          runInTrace(parseTraceparent(context), send),
        );
        await runInTrace(trace, () => fixture.repo.create(aProject(), [note('traced')]));
        await fixture.repo.create(aProject(), [note('untraced')]);

        await waitFor(() => sentIn.size === 2, 15_000, 'both sends');
        expect(Object.fromEntries(sentIn)).toEqual({ traced: trace, untraced: undefined });
      });

      it('keeps retrying while the publisher fails and sends everything once it works again', async () => {
        const bus = new InMemoryEventBus();
        await bus.subscribe('project:events:test', (event) => void received.push(event));
        let down = true;
        let refused = 0;
        startRelay({
          publish: async (channel, event) => {
            if (down) {
              refused += 1;
              throw new Error('redis away');
            }
            await bus.publish(channel, event);
          },
        });
        for (let i = 0; i < 10; i += 1) await fixture.repo.create(aProject(), [note(`created ${i}`)]);
        await waitFor(() => refused >= 30, 15_000, 'the relay to retry');
        expect(received).toEqual([]);
        expect(await outbox.pendingCount()).toBe(10);

        down = false;

        await waitFor(() => received.length === 10, 15_000, 'the ten events after the publisher came back');
        expect(received.map((event) => event.type).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `created ${i}`).sort());
        // Marked sent just after the send: wait for the mark, not only for the delivery.
        await waitFor(async () => (await outbox.pendingCount()) === 0, 15_000, 'the entries to be marked sent');
      });
    });
  });
}
