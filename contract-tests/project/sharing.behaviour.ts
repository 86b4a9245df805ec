import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventChannels, Streams } from '../../core/messaging/channels.js';
import type { Project } from '../../core/project/model.js';
import { failureOf, valueOf } from './builders.js';
import type { ProjectHarness, ProjectHarnessFactory } from './project-harness.js';

/** shareProject, getProjectPermissions. */
export const describeSharingUseCases = (harness: ProjectHarnessFactory): void => {
  describe('sharing', () => {
    let h: ProjectHarness;
    let owner: string;
    let project: Project;
    beforeEach(async () => {
      h = await harness();
      owner = h.aUser();
      project = await h.aProjectOf(owner, { name: 'Payments' });
    });
    afterEach(async () => {
      await h.close();
    });

    describe('shareProject', () => {
      it('lets the owner share with a user by id, storing the share', async () => {
        const target = h.aUser();

        const shared = valueOf(
          await h.service.shareProject({ projectId: project.id, userId: owner, target: { userId: target }, role: 'viewer' }),
        );

        expect(shared).toEqual({
          projectId: project.id,
          targetUserId: target,
          role: 'viewer',
          sharedAt: h.clock.now(),
          changed: true,
        });
        expect(await h.fixture.repo.findById(project.id)).toMatchObject({
          shares: [{ userId: target, role: 'viewer', sharedAt: h.clock.now() }],
          version: project.version + 1,
        });
      });

      it('announces the share and notifies the user it was shared with', async () => {
        const target = h.aUser();

        await h.service.shareProject({ projectId: project.id, userId: owner, target: { userId: target }, role: 'editor' });

        expect(await h.events.on(EventChannels.projectShared)).toEqual([
          {
            type: 'shared',
            event_id: expect.any(String),
            project_id: project.id,
            user_id: owner,
            target_user_id: target,
            role: 'editor',
            timestamp: h.clock.now(),
          },
        ]);
        expect(await h.streamEntries(Streams.notifications(target))).toEqual([
          {
            type: 'project_shared',
            project_id: project.id,
            project_name: 'Payments',
            role: 'editor',
            from_user_id: owner,
            timestamp: String(h.clock.now()),
          },
        ]);
      });

      it('emails the user it was shared with an invitation, once per change of role', async () => {
        const target = h.aUser();

        await h.share(project, target, 'viewer');
        await h.share(project, target, 'viewer');
        await h.share(project, target, 'editor');

        const invitations = (await h.emailJobs()).filter((job) => job.type === 'project_invitation_email');
        expect(invitations.map((job) => job.payload)).toEqual(
          ['viewer', 'editor'].map((role) => ({
            user_id: target,
            project_id: project.id,
            project_name: 'Payments',
            role,
            shared_by_user_id: owner,
          })),
        );
      });

      it('resolves a target given by email, ignoring case and surrounding spaces', async () => {
        const target = h.aUser();

        const shared = valueOf(
          await h.service.shareProject({
            projectId: project.id,
            userId: owner,
            target: { email: `  ${target.toUpperCase()}@Example.TEST ` },
            role: 'viewer',
          }),
        );

        expect(shared.targetUserId).toBe(target);
        expect(valueOf(await h.service.getProject({ projectId: project.id, userId: target })).access).toBe('viewer');
      });

      it('changes the role when sharing again, keeping one share per user', async () => {
        const target = h.aUser();
        await h.share(project, target, 'viewer');
        h.clock.advance(60_000);

        const reshared = valueOf(
          await h.service.shareProject({ projectId: project.id, userId: owner, target: { userId: target }, role: 'editor' }),
        );

        expect(reshared).toMatchObject({ role: 'editor', changed: true, sharedAt: h.clock.now() });
        expect((await h.fixture.repo.findById(project.id))?.shares).toEqual([{ userId: target, role: 'editor', sharedAt: h.clock.now() }]);
        expect((await h.events.on(EventChannels.projectShared)).map((event) => event.role)).toEqual(['viewer', 'editor']);
      });

      it('changes, announces and notifies nothing when the user already has the role', async () => {
        const target = h.aUser();
        await h.share(project, target, 'viewer');
        const sharedAt = h.clock.now();
        h.clock.advance(60_000);

        const again = valueOf(
          await h.service.shareProject({ projectId: project.id, userId: owner, target: { userId: target }, role: 'viewer' }),
        );

        expect(again).toMatchObject({ changed: false, sharedAt });
        expect(await h.events.on(EventChannels.projectShared)).toHaveLength(1);
        expect(await h.streamEntries(Streams.notifications(target))).toHaveLength(1);
        expect((await h.fixture.repo.findById(project.id))?.version).toBe(project.version + 1);
      });

      it('refuses sharing with yourself, by id or by email', async () => {
        const byId = failureOf(
          await h.service.shareProject({ projectId: project.id, userId: owner, target: { userId: owner }, role: 'editor' }),
        );
        const byEmail = failureOf(
          await h.service.shareProject({
            projectId: project.id,
            userId: owner,
            target: { email: `${owner}@example.test` },
            role: 'editor',
          }),
        );

        expect(byId).toMatchObject({ kind: 'invalid', code: 'cannot_share_with_self' });
        expect(byEmail).toEqual(byId);
        expect((await h.fixture.repo.findById(project.id))?.shares).toEqual([]);
      });

      it('refuses an unknown email and an unknown user id, naming the field', async () => {
        const byEmail = failureOf(
          await h.service.shareProject({
            projectId: project.id,
            userId: owner,
            target: { email: 'nobody@example.test' },
            role: 'viewer',
          }),
        );
        const byId = failureOf(
          await h.service.shareProject({
            projectId: project.id,
            userId: owner,
            target: { userId: 'user-nobody' },
            role: 'viewer',
          }),
        );

        expect(byEmail).toMatchObject({ kind: 'not_found', code: 'user_not_found' });
        expect(byEmail.violations).toEqual([{ field: 'targetEmail', message: 'is not a known user' }]);
        expect(byId.violations).toEqual([{ field: 'targetUserId', message: 'is not a known user' }]);
        expect(await h.events.on(EventChannels.projectShared)).toEqual([]);
      });

      it('lets only the owner share: editors and viewers are forbidden, strangers told not found', async () => {
        const [editor, viewer] = [h.aUser(), h.aUser()];
        await h.share(project, editor, 'editor');
        await h.share(project, viewer, 'viewer');
        const target = h.aUser();
        const shareAs = (userId: string) =>
          h.service.shareProject({ projectId: project.id, userId, target: { userId: target }, role: 'viewer' });

        expect(failureOf(await shareAs(editor))).toMatchObject({ kind: 'forbidden', code: 'action_not_allowed' });
        expect(failureOf(await shareAs(viewer))).toMatchObject({ kind: 'forbidden', code: 'action_not_allowed' });
        expect(failureOf(await shareAs(h.aUser()))).toMatchObject({ kind: 'not_found', code: 'project_not_found' });
        expect((await h.fixture.repo.findById(project.id))?.shares.map((share) => share.userId)).toEqual([editor, viewer]);
      });

      it('refuses the owner without project:share', async () => {
        h.authorization.revoke(owner, 'project:share', 'sharing disabled');

        const failure = failureOf(
          await h.service.shareProject({
            projectId: project.id,
            userId: owner,
            target: { userId: h.aUser() },
            role: 'viewer',
          }),
        );

        expect(failure).toMatchObject({ kind: 'forbidden', code: 'permission_denied' });
      });

      it('refuses an unknown role and an empty target', async () => {
        const failure = failureOf(
          await h.service.shareProject({
            projectId: project.id,
            userId: owner,
            target: { email: ' ' },
            role: 'admin' as never,
          }),
        );

        expect(failure.violations).toEqual([
          { field: 'targetEmail', message: 'is required' },
          { field: 'role', message: 'must be one of viewer, editor' },
        ]);
      });

      it('answers project_not_found for an unknown project', async () => {
        const failure = failureOf(
          await h.service.shareProject({
            projectId: 'project-missing',
            userId: owner,
            target: { userId: h.aUser() },
            role: 'viewer',
          }),
        );

        expect(failure.code).toBe('project_not_found');
      });
    });

    describe('getProjectPermissions', () => {
      it('lists the owner then the shares, and the caller’s own access', async () => {
        const [editor, viewer] = [h.aUser(), h.aUser()];
        await h.share(project, editor, 'editor');
        h.clock.advance(1_000);
        await h.share(project, viewer, 'viewer');

        const permissions = valueOf(await h.service.getProjectPermissions({ projectId: project.id, userId: owner }));

        expect(permissions).toEqual({
          projectId: project.id,
          ownerId: owner,
          members: [
            { userId: owner, role: 'owner', grantedAt: project.createdAt, actions: ['read', 'update', 'delete', 'share', 'collaborate'] },
            { userId: editor, role: 'editor', grantedAt: h.clock.now() - 1_000, actions: ['read', 'update', 'collaborate'] },
            { userId: viewer, role: 'viewer', grantedAt: h.clock.now(), actions: ['read', 'collaborate'] },
          ],
          caller: { userId: owner, access: 'owner', actions: ['read', 'update', 'delete', 'share', 'collaborate'] },
        });
      });

      it('tells editors and viewers what they may do', async () => {
        const [editor, viewer] = [h.aUser(), h.aUser()];
        await h.share(project, editor, 'editor');
        await h.share(project, viewer, 'viewer');

        const asEditor = valueOf(await h.service.getProjectPermissions({ projectId: project.id, userId: editor }));
        const asViewer = valueOf(await h.service.getProjectPermissions({ projectId: project.id, userId: viewer }));

        expect(asEditor.caller).toEqual({ userId: editor, access: 'editor', actions: ['read', 'update', 'collaborate'] });
        expect(asViewer.caller).toEqual({ userId: viewer, access: 'viewer', actions: ['read', 'collaborate'] });
        expect(asViewer.members).toHaveLength(3);
      });

      it('shows a reader of a public project the owner and its own read access only', async () => {
        await h.service.updateProject({ projectId: project.id, userId: owner, isPublic: true });
        await h.share(project, h.aUser(), 'editor');
        const reader = h.aUser();

        const permissions = valueOf(await h.service.getProjectPermissions({ projectId: project.id, userId: reader }));

        expect(permissions.members.map((member) => member.userId)).toEqual([owner]);
        expect(permissions.caller).toEqual({ userId: reader, access: 'public', actions: ['read'] });
      });

      it('answers a stranger to a private project with project_not_found', async () => {
        const failure = failureOf(await h.service.getProjectPermissions({ projectId: project.id, userId: h.aUser() }));

        expect(failure).toMatchObject({ kind: 'not_found', code: 'project_not_found' });
      });
    });
  });
};
