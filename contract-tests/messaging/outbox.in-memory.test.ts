import { InMemoryOutbox } from '../../adapters/memory/in-memory-outbox.js';
import { InMemoryProjectRepository } from '../../adapters/memory/in-memory-project-repository.js';
import { describeOutboxContract } from './outbox.contract.js';

describeOutboxContract('InMemoryOutbox', async () => {
  const outbox = new InMemoryOutbox();
  return { repo: new InMemoryProjectRepository(outbox), outbox, close: async () => {} };
});
