import { describe } from 'vitest';
import { describeChangeUseCases } from './changes.behaviour.js';
import { describeCollaborationUseCases } from './collaboration.behaviour.js';
import { describeCreationUseCases } from './creation.behaviour.js';
import { describeEditWindowUseCases } from './edit-window.behaviour.js';
import { describeEditingUseCases } from './editing.behaviour.js';
import { describeListingUseCases } from './listing.behaviour.js';
import { createProjectHarness } from './project-harness.js';
import type { ProjectRepositoryFixture } from './project-repository.contract.js';
import { describeSharingUseCases } from './sharing.behaviour.js';

/**
 * The ProjectService (the project domain's driving port) end to end: every use case and every
 * denial, on the given repository, with in-memory authorization, user directory, event bus and
 * stream store and a ManualClock. Run with the in-memory repository and the SQL ones (`contract-tests/sql/`).
 * Each fixture must start empty.
 */
export function describeProjectServiceContract(adapterName: string, createRepository: () => Promise<ProjectRepositoryFixture>): void {
  describe(`ProjectService use cases: ${adapterName}`, () => {
    const harness = async () => createProjectHarness(await createRepository());
    describeCreationUseCases(harness);
    describeChangeUseCases(harness);
    describeListingUseCases(harness);
    describeSharingUseCases(harness);
    describeCollaborationUseCases(harness);
    describeEditingUseCases(harness);
    describeEditWindowUseCases(harness);
  });
}
