import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventChannels } from '../../core/messaging/channels.js';
import { projectCreatedEvent, projectDeletedEvent, projectModifiedEvent, projectSharedEvent } from '../../core/project/events.js';
import type { Subscription } from '../../core/messaging/events.js';
import { InMemoryEventBus } from '../../adapters/memory/in-memory-event-bus.js';
import { createAuthHarness, inMemoryAuthRepositories, type AuthHarness } from './auth-harness.js';
import { delay, waitFor } from '../messaging/wait.js';
import { subscribeProjectGrants } from '../../core/auth/project-grants.js';
import { testLogger } from '../../test-support/test-logger.js';

describe('subscribeProjectGrants', () => {
  let harness: AuthHarness;
  let projectEvents: InMemoryEventBus;
  let subscription: Subscription;

  const allowed = async (userId: string, permission: string, projectId: string) => {
    const decision = await harness.service.checkPermission({ userId, permission, resourceId: projectId });
    if (!decision.ok) throw new Error(decision.error.message);
    return decision.value.allowed;
  };
  const grantsOf = async (userId: string) => {
    const permissions = await harness.service.getUserPermissions(userId);
    if (!permissions.ok) throw new Error(permissions.error.message);
    return permissions.value.grants;
  };

  beforeEach(async () => {
    harness = await createAuthHarness(inMemoryAuthRepositories());
    projectEvents = new InMemoryEventBus();
    subscription = await subscribeProjectGrants(projectEvents, harness.service, testLogger('grants-test'));
  });
  afterEach(async () => {
    await subscription.unsubscribe();
  });

  it('grants the owner a new project, and the role a share gives, replacing an earlier role', async () => {
    const owner = await harness.registerUser();
    const reader = await harness.registerUser();

    await projectEvents.publish(EventChannels.projectCreated, projectCreatedEvent('project-1', owner.id, 'Plan', 1));
    await waitFor(async () => allowed(owner.id, 'project:delete', 'project-1'), 5_000, 'the owner grant');

    await projectEvents.publish(EventChannels.projectShared, projectSharedEvent('project-1', owner.id, reader.id, 'viewer', 2));
    await waitFor(async () => allowed(reader.id, 'project:read', 'project-1'), 5_000, 'the viewer grant');
    expect(await allowed(reader.id, 'project:update', 'project-1')).toBe(false);

    await projectEvents.publish(EventChannels.projectShared, projectSharedEvent('project-1', owner.id, reader.id, 'editor', 3));
    await waitFor(async () => allowed(reader.id, 'project:update', 'project-1'), 5_000, 'the editor grant');
    expect(await grantsOf(reader.id)).toEqual([expect.objectContaining({ resourceId: 'project-1', role: 'editor' })]);
  });

  it("revokes the owner's grant when the project is deleted, and ignores other updates", async () => {
    const owner = await harness.registerUser();
    await projectEvents.publish(EventChannels.projectCreated, projectCreatedEvent('project-2', owner.id, 'Plan', 1));
    await waitFor(async () => (await grantsOf(owner.id)).length === 1, 5_000, 'the owner grant');

    await projectEvents.publish(EventChannels.projectUpdated, projectModifiedEvent('project-2', owner.id, ['name'], 2));
    await projectEvents.publish(EventChannels.projectUpdated, projectDeletedEvent('project-2', owner.id, 3));

    await waitFor(async () => (await grantsOf(owner.id)).length === 0, 5_000, 'the grant to be revoked');
  });

  it('survives events it cannot apply and keeps applying the next ones', async () => {
    const owner = await harness.registerUser();

    await projectEvents.publish(EventChannels.projectCreated, { type: 'created', timestamp: 1 });
    await projectEvents.publish(EventChannels.projectCreated, projectCreatedEvent('project-3', 'unknown-user', 'Plan', 1));
    await projectEvents.publish(EventChannels.projectCreated, projectCreatedEvent('project-4', owner.id, 'Plan', 2));

    await waitFor(async () => allowed(owner.id, 'project:share', 'project-4'), 5_000, 'the grant after the bad events');
  });

  it('stops applying events once unsubscribed', async () => {
    const owner = await harness.registerUser();
    await subscription.unsubscribe();

    await projectEvents.publish(EventChannels.projectCreated, projectCreatedEvent('project-5', owner.id, 'Plan', 1));
    await delay(100);

    expect(await grantsOf(owner.id)).toEqual([]);
  });
});
