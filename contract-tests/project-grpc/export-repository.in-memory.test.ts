import { InMemoryExportRepository } from '../../adapters/memory/in-memory-export-repository.js';
import { InMemoryOutbox } from '../../adapters/memory/in-memory-outbox.js';
import { describeExportRepositoryContract } from './export-repository.contract.js';

describeExportRepositoryContract('InMemoryExportRepository', async () => {
  const outbox = new InMemoryOutbox();
  return { repo: new InMemoryExportRepository(outbox), outbox, close: async () => {} };
});
