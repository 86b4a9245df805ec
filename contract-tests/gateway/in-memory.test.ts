import { InMemoryStreamStore } from '../../adapters/memory/in-memory-stream-store.js';
import { describeStreamFanOutBehaviour } from './stream-fan-out.behaviour.js';

// One store is the shared log; in one process every "process" reads it directly.
describeStreamFanOutBehaviour('InMemoryStreamStore', async () => {
  const store = new InMemoryStreamStore();
  return {
    openReader: () => store,
    append: async (stream, entries) => {
      await store.appendBatch(stream, entries);
    },
    close: () => store.close(),
  };
});
