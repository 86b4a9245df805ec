import { InMemoryResourceGrantRepository } from '../../adapters/memory/in-memory-resource-grant-repository.js';
import { InMemorySessionRepository } from '../../adapters/memory/in-memory-session-repository.js';
import { InMemoryUserRepository } from '../../adapters/memory/in-memory-user-repository.js';
import { describeAuthServiceContract } from './auth-service.contract.js';
import { describeResourceGrantRepositoryContract } from './resource-grant-repository.contract.js';
import { describeSessionRepositoryContract } from './session-repository.contract.js';
import { describeUserRepositoryContract } from './user-repository.contract.js';

const closeNothing = async (): Promise<void> => {};

describeUserRepositoryContract('InMemoryUserRepository', async () => ({
  repo: new InMemoryUserRepository(),
  close: closeNothing,
}));

describeSessionRepositoryContract('InMemorySessionRepository', async () => ({
  repo: new InMemorySessionRepository(),
  close: closeNothing,
}));

describeResourceGrantRepositoryContract('InMemoryResourceGrantRepository', async () => ({
  repo: new InMemoryResourceGrantRepository(),
  close: closeNothing,
}));

describeAuthServiceContract('in-memory repositories', async () => ({
  users: new InMemoryUserRepository(),
  sessions: new InMemorySessionRepository(),
  grants: new InMemoryResourceGrantRepository(),
  close: closeNothing,
}));
