import { InMemoryExportRepository } from '../../adapters/memory/in-memory-export-repository.js';
import { describeExportRepositoryContract } from './export-repository.contract.js';

describeExportRepositoryContract('InMemoryExportRepository', async () => ({ repo: new InMemoryExportRepository(), close: async () => {} }));
