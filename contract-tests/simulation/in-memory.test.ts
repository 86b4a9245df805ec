import { InMemorySimulationRepository } from '../../adapters/memory/in-memory-simulation-repository.js';
import { describeSimulationRepositoryContract } from './simulation-repository.contract.js';
import { describeSimulationServiceContract } from './simulation-service.contract.js';

const inMemoryRepository = async () => ({ repo: new InMemorySimulationRepository(), close: async () => {} });

describeSimulationRepositoryContract('InMemorySimulationRepository', inMemoryRepository);
describeSimulationServiceContract('InMemorySimulationRepository', inMemoryRepository);
