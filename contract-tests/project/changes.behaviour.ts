import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventChannels } from '../../core/messaging/channels.js';
import { failureOf, valueOf } from './builders.js';
import type { ProjectHarness, ProjectHarnessFactory } from './project-harness.js';

/** updateProject, deleteProject. */
export const describeChangeUseCases = (harness: ProjectHarnessFactory): void => {
  describe('changing and deleting projects', () => {
    let h: ProjectHarness;
    let owner: string;
    beforeEach(async () => {
      h = await harness();
      owner = h.aUser();
    });
    afterEach(async () => {
      await h.close();
    });

    describe('updateProject', () => {
      it('lets the owner rename, storing the next version and announcing the changed field', async () => {
        const project = await h.aProjectOf(owner);
        h.clock.advance(5_000);

        const updated = valueOf(await h.service.updateProject({ projectId: project.id, userId: owner, name: '  Renamed ' }));

        expect(updated).toMatchObject({ name: 'Renamed', version: 2, updatedAt: h.clock.now(), createdAt: project.createdAt });
        expect(await h.fixture.repo.findById(project.id)).toEqual(updated);
        expect(await h.events.on(EventChannels.projectUpdated)).toEqual([
          {
            type: 'updated',
            event_id: expect.any(String),
            change: 'modified',
            project_id: project.id,
            user_id: owner,
            changes: ['name'],
            timestamp: h.clock.now(),
          },
        ]);
      });

      it('lets an editor set and remove configuration entries', async () => {
        const project = await h.aProjectOf(owner, { configuration: { nodes: '3', services: '5', seed: '7' } });
        const editor = h.aUser();
        await h.share(project, editor, 'editor');

        const updated = valueOf(
          await h.service.updateProject({
            projectId: project.id,
            userId: editor,
            configuration: { nodes: '8', autoscaling: 'false' },
            removedConfigurationKeys: ['seed'],
          }),
        );

        expect(updated.configuration).toEqual({ nodes: '8', services: '5', autoscaling: 'false' });
        const [event] = await h.events.on(EventChannels.projectUpdated);
        expect(event).toMatchObject({ user_id: editor, changes: ['configuration'] });
      });

      it('names every changed field, and only those', async () => {
        const project = await h.aProjectOf(owner, { description: 'same' });

        await h.service.updateProject({
          projectId: project.id,
          userId: owner,
          description: 'same',
          isPublic: true,
          status: 'archived',
        });

        const [event] = await h.events.on(EventChannels.projectUpdated);
        expect(event).toMatchObject({ changes: ['is_public', 'status'] });
      });

      it('stores and announces nothing when nothing changes', async () => {
        const project = await h.aProjectOf(owner, { configuration: { nodes: '3' } });

        const updated = valueOf(
          await h.service.updateProject({
            projectId: project.id,
            userId: owner,
            name: project.name,
            configuration: { nodes: '3' },
          }),
        );

        expect(updated).toEqual(project);
        expect(await h.events.on(EventChannels.projectUpdated)).toEqual([]);
      });

      it('refuses a viewer and a reader of a public project (forbidden), changing nothing', async () => {
        const project = await h.aProjectOf(owner, { isPublic: true });
        const viewer = h.aUser();
        await h.share(project, viewer, 'viewer');

        const asViewer = failureOf(await h.service.updateProject({ projectId: project.id, userId: viewer, name: 'Mine' }));
        const asReader = failureOf(await h.service.updateProject({ projectId: project.id, userId: h.aUser(), name: 'Mine' }));

        expect(asViewer).toMatchObject({ kind: 'forbidden', code: 'action_not_allowed' });
        expect(asReader).toMatchObject({ kind: 'forbidden', code: 'action_not_allowed' });
        expect((await h.fixture.repo.findById(project.id))?.name).toBe(project.name);
        expect(await h.events.on(EventChannels.projectUpdated)).toEqual([]);
      });

      it('lets only the owner make a project public or private: an editor is forbidden, changing nothing', async () => {
        const project = await h.aProjectOf(owner);
        const editor = h.aUser();
        await h.share(project, editor, 'editor');

        const publish = failureOf(await h.service.updateProject({ projectId: project.id, userId: editor, isPublic: true, name: 'Open' }));
        const echo = valueOf(await h.service.updateProject({ projectId: project.id, userId: editor, isPublic: false, name: 'Echo' }));
        const published = valueOf(await h.service.updateProject({ projectId: project.id, userId: owner, isPublic: true }));
        const hide = failureOf(await h.service.updateProject({ projectId: project.id, userId: editor, isPublic: false }));

        expect(publish).toMatchObject({ kind: 'forbidden', code: 'action_not_allowed' });
        expect(echo).toMatchObject({ name: 'Echo', isPublic: false });
        expect(published.isPublic).toBe(true);
        expect(hide).toMatchObject({ kind: 'forbidden', code: 'action_not_allowed' });
        expect(await h.fixture.repo.findById(project.id)).toMatchObject({ name: 'Echo', isPublic: true });
      });

      it('refuses the owner a visibility change without project:share', async () => {
        const project = await h.aProjectOf(owner);
        h.authorization.revoke(owner, 'project:share', 'sharing disabled');

        const failure = failureOf(await h.service.updateProject({ projectId: project.id, userId: owner, isPublic: true }));

        expect(failure).toMatchObject({ kind: 'forbidden', code: 'permission_denied' });
        expect((await h.fixture.repo.findById(project.id))?.isPublic).toBe(false);
      });

      it('answers a stranger to a private project and an unknown project with project_not_found', async () => {
        const project = await h.aProjectOf(owner);

        const hidden = failureOf(await h.service.updateProject({ projectId: project.id, userId: h.aUser(), name: 'X' }));
        const missing = failureOf(await h.service.updateProject({ projectId: 'project-missing', userId: owner, name: 'X' }));

        expect(hidden).toMatchObject({ kind: 'not_found', code: 'project_not_found' });
        expect(missing).toEqual(hidden);
      });

      it('refuses even the owner without project:update', async () => {
        const project = await h.aProjectOf(owner);
        h.authorization.revoke(owner, 'project:update', 'read-only account');

        const failure = failureOf(await h.service.updateProject({ projectId: project.id, userId: owner, name: 'X' }));

        expect(failure).toMatchObject({ kind: 'forbidden', code: 'permission_denied' });
        expect((await h.fixture.repo.findById(project.id))?.name).toBe(project.name);
      });

      it('refuses a stale expected version and accepts the current one', async () => {
        const project = await h.aProjectOf(owner);
        await h.service.updateProject({ projectId: project.id, userId: owner, name: 'Second' });

        const stale = failureOf(await h.service.updateProject({ projectId: project.id, userId: owner, name: 'Third', expectedVersion: 1 }));
        const current = await h.service.updateProject({
          projectId: project.id,
          userId: owner,
          name: 'Third',
          expectedVersion: 2,
        });

        expect(stale).toMatchObject({ kind: 'conflict', code: 'version_conflict' });
        expect(valueOf(current)).toMatchObject({ name: 'Third', version: 3 });
      });

      it('refuses a stale expected updatedAt', async () => {
        const project = await h.aProjectOf(owner);
        h.clock.advance(1_000);
        await h.service.updateProject({ projectId: project.id, userId: owner, name: 'Second' });

        const stale = failureOf(
          await h.service.updateProject({
            projectId: project.id,
            userId: owner,
            name: 'Third',
            expectedUpdatedAt: project.updatedAt,
          }),
        );

        expect(stale).toMatchObject({ kind: 'conflict', code: 'version_conflict' });
      });

      it('reports invalid fields, and a configuration that grows past 100 keys', async () => {
        const project = await h.aProjectOf(owner, { templateId: 'event-driven' });
        const many = Object.fromEntries(Array.from({ length: 90 }, (_, index) => [`extra_${index}`, 'x']));

        const fields = failureOf(
          await h.service.updateProject({
            projectId: project.id,
            userId: owner,
            name: '',
            status: 'deleted' as never,
          }),
        );
        const tooMany = failureOf(await h.service.updateProject({ projectId: project.id, userId: owner, configuration: many }));

        expect(fields.violations).toEqual([
          { field: 'name', message: 'is required' },
          { field: 'status', message: 'must be one of active, archived' },
        ]);
        expect(tooMany.violations).toEqual([{ field: 'configuration', message: 'must have at most 100 keys' }]);
      });
    });

    describe('deleteProject', () => {
      it('lets the owner delete the project and announces it on project:events:updated', async () => {
        const project = await h.aProjectOf(owner);

        const deleted = valueOf(await h.service.deleteProject({ projectId: project.id, userId: owner }));

        expect(deleted).toEqual({ projectId: project.id, deletedAt: h.clock.now() });
        expect(failureOf(await h.service.getProject({ projectId: project.id, userId: owner })).code).toBe('project_not_found');
        expect(await h.events.on(EventChannels.projectUpdated)).toEqual([
          {
            type: 'updated',
            event_id: expect.any(String),
            change: 'deleted',
            project_id: project.id,
            user_id: owner,
            timestamp: h.clock.now(),
          },
        ]);
      });

      it('refuses editors and viewers (forbidden), keeping the project', async () => {
        const project = await h.aProjectOf(owner);
        const [editor, viewer] = [h.aUser(), h.aUser()];
        await h.share(project, editor, 'editor');
        await h.share(project, viewer, 'viewer');

        const asEditor = failureOf(await h.service.deleteProject({ projectId: project.id, userId: editor }));
        const asViewer = failureOf(await h.service.deleteProject({ projectId: project.id, userId: viewer }));

        expect(asEditor).toMatchObject({ kind: 'forbidden', code: 'action_not_allowed' });
        expect(asViewer).toMatchObject({ kind: 'forbidden', code: 'action_not_allowed' });
        expect(await h.fixture.repo.findById(project.id)).toBeDefined();
      });

      it('answers strangers and unknown projects with project_not_found', async () => {
        const project = await h.aProjectOf(owner);

        expect(failureOf(await h.service.deleteProject({ projectId: project.id, userId: h.aUser() })).code).toBe('project_not_found');
        expect(failureOf(await h.service.deleteProject({ projectId: project.id + 'x', userId: owner })).code).toBe('project_not_found');
        expect(await h.fixture.repo.findById(project.id)).toBeDefined();
      });

      it('refuses the owner without project:delete', async () => {
        const project = await h.aProjectOf(owner);
        h.authorization.revoke(owner, 'project:delete');

        const failure = failureOf(await h.service.deleteProject({ projectId: project.id, userId: owner }));

        expect(failure).toMatchObject({ kind: 'forbidden', code: 'permission_denied' });
        expect(await h.fixture.repo.findById(project.id)).toBeDefined();
        expect(await h.events.on(EventChannels.projectUpdated)).toEqual([]);
      });
    });
  });
};
