import { InMemoryRefreshTokenRepository } from '../../adapters/memory/in-memory-refresh-token-repository.js';
import { InMemorySigningKeyRepository } from '../../adapters/memory/in-memory-signing-key-repository.js';
import { InMemoryResourceGrantRepository } from '../../adapters/memory/in-memory-resource-grant-repository.js';
import { InMemorySessionRepository } from '../../adapters/memory/in-memory-session-repository.js';
import { InMemoryUserRepository } from '../../adapters/memory/in-memory-user-repository.js';
import { InMemoryOutbox } from '../../adapters/memory/in-memory-outbox.js';
import { inMemoryAuthRepositories } from './auth-harness.js';
import { describeAuthServiceContract } from './auth-service.contract.js';
import { describeAuditLogContract } from './audit-log.contract.js';
import { aSession } from './builders.js';
import { describeRefreshTokenRepositoryContract } from './refresh-token-repository.contract.js';
import { describeSigningKeyRepositoryContract } from './signing-key-repository.contract.js';
import { describeResourceGrantRepositoryContract } from './resource-grant-repository.contract.js';
import { describeSessionRepositoryContract } from './session-repository.contract.js';
import { describeUserRepositoryContract } from './user-repository.contract.js';

const closeNothing = async (): Promise<void> => {};

describeUserRepositoryContract('InMemoryUserRepository', async () => {
  const repo = new InMemoryUserRepository();
  return { repo, outbox: repo.outbox, close: closeNothing };
});

describeSessionRepositoryContract('InMemorySessionRepository', async () => {
  const outbox = new InMemoryOutbox();
  return { repo: new InMemorySessionRepository(outbox), outbox, close: closeNothing };
});

describeResourceGrantRepositoryContract('InMemoryResourceGrantRepository', async () => {
  const outbox = new InMemoryOutbox();
  return { repo: new InMemoryResourceGrantRepository(outbox), outbox, close: closeNothing };
});

describeAuthServiceContract('in-memory repositories', async () => ({
  ...inMemoryAuthRepositories(),
  refreshTokens: new InMemoryRefreshTokenRepository(),
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

describeAuditLogContract('InMemoryAuditLog with the in-memory user and announcement repositories', async () => inMemoryAuthRepositories());
