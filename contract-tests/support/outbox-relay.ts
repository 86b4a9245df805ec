import type { EventPublisher } from '../../core/messaging/events.js';
import type { OutboxEntry, OutboxStore } from '../../core/messaging/outbox.js';
import { OutboxRelay } from '../../core/messaging/outbox-relay.js';
import type { StreamProducer } from '../../core/messaging/streams.js';
import type { JobQueue } from '../../core/messaging/work-queue.js';

/** The outbox a repository records into: every in-memory and SQL repository that takes outbox messages exposes it. */
export const outboxOf = (repository: object): OutboxStore => {
  const outbox = (repository as { readonly outbox?: OutboxStore }).outbox;
  if (!outbox) throw new Error('this repository has no outbox');
  return outbox;
};

/** Every pending entry, round after round (one per aggregate each), marked sent: what a relay would send, in its order. */
export const takePending = async (outbox: OutboxStore): Promise<OutboxEntry[]> => {
  const taken: OutboxEntry[] = [];
  const take = (entries: readonly OutboxEntry[]) => {
    taken.push(...entries);
    return Promise.resolve(entries.map((entry) => entry.id));
  };
  while ((await outbox.relay(100, take)) > 0);
  return taken;
};

/** `channel type` of each event entry, for compact assertions. */
export const eventsOf = (entries: readonly OutboxEntry[]): string[] =>
  entries.map((entry) => (entry.message.kind === 'event' ? `${entry.message.channel} ${entry.message.event.type}` : entry.message.kind));

const noJobs: JobQueue = {
  enqueue: () => Promise.reject(new Error('no job queue in this test')),
  work: () => Promise.reject(new Error('no job queue in this test')),
  deadLetters: async () => [],
};
const noStreams: StreamProducer = {
  append: () => Promise.reject(new Error('no stream store in this test')),
  appendBatch: () => Promise.reject(new Error('no stream store in this test')),
};

/** A started relay as the services run it, retrying quickly. Stop it before closing the storage. */
export const startTestRelay = (
  outbox: OutboxStore,
  transport: { readonly events: EventPublisher; readonly jobs?: JobQueue; readonly streams?: StreamProducer },
): OutboxRelay => {
  const relay = new OutboxRelay(
    {
      outbox,
      events: transport.events,
      jobs: transport.jobs ?? noJobs,
      streams: transport.streams ?? noStreams,
      clock: { now: () => Date.now() },
      // The tests assert on what arrives; a failing send shows there as a missing event.
      onSendFailure: () => undefined,
    },
    { minBackoffMs: 10, maxBackoffMs: 100, pollMs: 1_000 },
  );
  relay.start();
  return relay;
};
