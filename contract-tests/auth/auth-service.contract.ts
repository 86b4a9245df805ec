import { describe } from 'vitest';
import type { AuthConfig } from '../../core/auth/deps.js';
import { describeAccessUseCases } from './access.behaviour.js';
import { describeAccountUseCases } from './account.behaviour.js';
import { describeAdministrationUseCases } from './administration.behaviour.js';
import { createAuthHarness, type AuthHarness, type AuthRepositories } from './auth-harness.js';
import { describeEmailUseCases } from './email.behaviour.js';
import { describeRefreshAndThrottleUseCases } from './refresh.behaviour.js';
import { describeSessionUseCases } from './session.behaviour.js';

/**
 * The AuthService (the auth domain's driving port) end to end: every use case, on the given
 * repositories, with the real crypto adapters, the in-memory event bus and a ManualClock. Run
 * with the in-memory repositories and with the SQL ones (`contract-tests/sql/`).
 */
export function describeAuthServiceContract(adapterName: string, createRepositories: () => Promise<AuthRepositories>): void {
  describe(`AuthService use cases: ${adapterName}`, () => {
    const opened: AuthHarness[] = [];
    const harness = async (config?: Partial<AuthConfig>): Promise<AuthHarness> => {
      const created = await createAuthHarness(await createRepositories(), config);
      opened.push(created);
      return created;
    };
    const closeAll = async (): Promise<void> => {
      await Promise.all(opened.splice(0).map((created) => created.close()));
    };

    describeAccountUseCases(harness, closeAll);
    describeSessionUseCases(harness, closeAll);
    describeAccessUseCases(harness, closeAll);
    describeEmailUseCases(harness, closeAll);
    describeRefreshAndThrottleUseCases(harness, closeAll);
    describeAdministrationUseCases(harness, closeAll);
  });
}
