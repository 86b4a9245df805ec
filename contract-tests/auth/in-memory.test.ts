import { InMemoryRefreshTokenRepository } from '../../adapters/memory/in-memory-refresh-token-repository.js';
import { InMemorySigningKeyRepository } from '../../adapters/memory/in-memory-signing-key-repository.js';
import { InMemoryResourceGrantRepository } from '../../adapters/memory/in-memory-resource-grant-repository.js';
import { InMemorySessionRepository } from '../../adapters/memory/in-memory-session-repository.js';
import { InMemoryUserRepository } from '../../adapters/memory/in-memory-user-repository.js';
import { describeAuthServiceContract } from './auth-service.contract.js';
import { aSession } from './builders.js';
import { describeRefreshTokenRepositoryContract } from './refresh-token-repository.contract.js';
import { describeSigningKeyRepositoryContract } from './signing-key-repository.contract.js';
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
  refreshTokens: new InMemoryRefreshTokenRepository(),
  close: closeNothing,
}));

describeRefreshTokenRepositoryContract('InMemoryRefreshTokenRepository', async () => ({
  repo: new InMemoryRefreshTokenRepository(),
  parentSession: async () => aSession(),
  close: closeNothing,
}));

describeSigningKeyRepositoryContract('InMemorySigningKeyRepository', async () => ({
  repo: new InMemorySigningKeyRepository(),
  close: closeNothing,
}));
