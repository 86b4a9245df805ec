import { InMemoryProjectRepository } from '../../adapters/memory/in-memory-project-repository.js';
import { describeProjectRepositoryContract } from './project-repository.contract.js';
import { describeProjectServiceContract } from './project-service.contract.js';

const inMemoryRepository = async () => ({ repo: new InMemoryProjectRepository(), close: async () => {} });

describeProjectRepositoryContract('InMemoryProjectRepository', inMemoryRepository);
describeProjectServiceContract('InMemoryProjectRepository', inMemoryRepository);
