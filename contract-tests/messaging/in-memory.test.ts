import { afterAll } from 'vitest';
import { InMemoryEventBus } from '../../adapters/memory/in-memory-event-bus.js';
import { InMemoryStreamStore } from '../../adapters/memory/in-memory-stream-store.js';
import { StreamJobQueue } from '../../adapters/streams/stream-job-queue.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { describeEventBusContract } from './event-bus.contract.js';
import { describeJobQueueContract } from './job-queue.contract.js';
import { describeStreamStoreContract } from './stream-store.contract.js';
import { testLogger } from '../../test-support/test-logger.js';

describeEventBusContract('InMemoryEventBus', async () => {
  const bus = new InMemoryEventBus();
  return { publisher: bus, subscriber: bus, close: async () => {} };
});

describeStreamStoreContract('InMemoryStreamStore', async () => {
  const store = new InMemoryStreamStore();
  return { store, close: () => store.close() };
});

// Job-queue fixtures share one store, as processes share one Redis, so a "crashed" fixture's jobs
// can be redelivered to another.
const sharedStore = new InMemoryStreamStore();
afterAll(() => sharedStore.close());
const claimIdleMs = 750;

describeJobQueueContract('StreamJobQueue on InMemoryStreamStore', async () => {
  const queue = new StreamJobQueue(sharedStore, new SystemClock(), testLogger('job-queue-contract'), {
    claimIdleMs,
    blockMs: 200,
  });
  return { queue, close: () => queue.close(), claimIdleMs };
});
