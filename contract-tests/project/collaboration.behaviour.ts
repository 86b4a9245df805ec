import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Streams } from '../../core/messaging/channels.js';
import type { Project } from '../../core/project/model.js';
import { failureOf, valueOf } from './builders.js';
import type { ProjectHarness, ProjectHarnessFactory } from './project-harness.js';

/** joinCollaboration, leaveCollaboration. */
export const describeCollaborationUseCases = (harness: ProjectHarnessFactory): void => {
  describe('collaboration', () => {
    let h: ProjectHarness;
    let owner: string;
    let editor: string;
    let viewer: string;
    let project: Project;
    beforeEach(async () => {
      h = await harness();
      [owner, editor, viewer] = [h.aUser(), h.aUser(), h.aUser()];
      project = await h.aProjectOf(owner);
      await h.share(project, editor, 'editor');
      await h.share(project, viewer, 'viewer');
    });
    afterEach(async () => {
      await h.close();
    });

    const join = (userId: string, projectId = project.id, clientId?: string) =>
      h.service.joinCollaboration({ projectId, userId, clientId });
    const leave = (userId: string, projectId = project.id, clientId?: string) =>
      h.service.leaveCollaboration({ projectId, userId, clientId });
    const presence = async () =>
      (await h.streamEntries(Streams.collaboration(project.id))).filter((entry) => entry.type === 'joined' || entry.type === 'left');

    describe('joinCollaboration', () => {
      it('records the owner and editors in joining order and returns the session stream', async () => {
        const first = valueOf(await join(owner));
        h.clock.advance(1_000);
        const second = valueOf(await join(editor));

        expect(first).toEqual({
          projectId: project.id,
          streamKey: `collaboration:stream:${project.id}`,
          collaborators: [owner],
          changed: true,
          at: h.clock.now() - 1_000,
          access: 'owner',
          clientId: `api:${owner}`,
          clients: [{ clientId: `api:${owner}`, userId: owner, role: 'owner' }],
          presenceTtlMs: 30_000,
          document: { name: project.name, description: project.description, configuration: project.configuration },
          version: (await h.fixture.repo.findById(project.id))!.version,
        });
        expect(second).toMatchObject({ collaborators: [owner, editor], access: 'editor' });
        expect((await h.fixture.repo.findById(project.id))?.collaborators).toEqual([owner, editor]);
      });

      it('appends a joined entry to the collaboration stream', async () => {
        await join(editor);

        expect(await presence()).toEqual([
          { type: 'joined', user_id: editor, client_id: `api:${editor}`, role: 'editor', timestamp: String(h.clock.now()) },
        ]);
      });

      it('is harmless to join twice: one entry, one collaborator', async () => {
        await join(editor);

        const again = valueOf(await join(editor));

        expect(again).toMatchObject({ collaborators: [editor], changed: false });
        expect(await presence()).toHaveLength(1);
      });

      it('does not count as a change of the project', async () => {
        const before = await h.fixture.repo.findById(project.id);

        await join(editor);

        expect(await h.fixture.repo.findById(project.id)).toMatchObject({
          version: before?.version,
          updatedAt: before?.updatedAt,
        });
      });

      it('lets viewers in to watch, but not readers of a public project (forbidden)', async () => {
        await h.service.updateProject({ projectId: project.id, userId: owner, isPublic: true });

        expect(valueOf(await join(viewer, project.id, 'client-v'))).toMatchObject({ access: 'viewer', clientId: 'client-v' });
        expect(failureOf(await join(h.aUser()))).toMatchObject({ kind: 'forbidden', code: 'action_not_allowed' });
        expect((await presence()).filter((entry) => entry.type === 'joined')).toEqual([
          expect.objectContaining({ user_id: viewer, client_id: 'client-v', role: 'viewer' }),
        ]);
      });

      it('keeps one entry per client: two sockets of one user are two clients of one collaborator', async () => {
        valueOf(await join(editor, project.id, 'tab-1'));
        const second = valueOf(await join(editor, project.id, 'tab-2'));

        expect(second.collaborators).toEqual([editor]);
        expect(second.clients.map((client) => client.clientId)).toEqual(['tab-1', 'tab-2']);
        valueOf(await leave(editor, project.id, 'tab-1'));
        expect((await h.fixture.repo.findById(project.id))?.collaborators).toEqual([editor]);
        valueOf(await leave(editor, project.id, 'tab-2'));
        expect((await h.fixture.repo.findById(project.id))?.collaborators).toEqual([]);
        expect((await presence()).map((entry) => [entry.type, entry.client_id])).toEqual([
          ['joined', 'tab-1'],
          ['joined', 'tab-2'],
          ['left', 'tab-1'],
          ['left', 'tab-2'],
        ]);
      });

      it('takes a client out once its presence ran out unrenewed, with a left entry saying timeout', async () => {
        await join(editor, project.id, 'quiet');
        await join(owner, project.id, 'busy');
        h.clock.advance(20_000);
        await join(owner, project.id, 'busy');
        h.clock.advance(15_000);

        const expired = await h.service.expireCollaborators();

        expect(expired.filter((gone) => gone.projectId === project.id).map((gone) => gone.client.clientId)).toEqual(['quiet']);
        expect((await h.fixture.repo.findById(project.id))?.collaborators).toEqual([owner]);
        expect((await presence()).at(-1)).toMatchObject({ type: 'left', client_id: 'quiet', reason: 'timeout' });
      });

      it('answers strangers and unknown projects with project_not_found', async () => {
        expect(failureOf(await join(h.aUser()))).toMatchObject({ kind: 'not_found', code: 'project_not_found' });
        expect(failureOf(await join(owner, 'project-missing')).code).toBe('project_not_found');
      });
    });

    describe('leaveCollaboration', () => {
      it('removes the user, appends a left entry and returns who remains', async () => {
        await join(owner);
        await join(editor);
        h.clock.advance(1_000);

        const left = valueOf(await leave(owner));

        expect(left).toMatchObject({ collaborators: [editor], changed: true, at: h.clock.now() });
        expect((await presence()).map((entry) => [entry.type, entry.user_id, entry.reason])).toEqual([
          ['joined', owner, undefined],
          ['joined', editor, undefined],
          ['left', owner, 'left'],
        ]);
      });

      it('is harmless to leave without having joined', async () => {
        await join(owner);

        const left = valueOf(await leave(viewer));

        expect(left).toMatchObject({ collaborators: [owner], changed: false });
        expect(await presence()).toHaveLength(1);
      });

      it('lets a user whose access was withdrawn while in the session still leave', async () => {
        await join(editor);
        const current = (await h.fixture.repo.findById(project.id))!;
        await h.fixture.repo.update({ ...current, shares: [] });

        expect(valueOf(await leave(editor))).toMatchObject({ collaborators: [], changed: true });
      });

      it('answers strangers and unknown projects with project_not_found', async () => {
        expect(failureOf(await leave(h.aUser())).code).toBe('project_not_found');
        expect(failureOf(await leave(owner, 'project-missing')).code).toBe('project_not_found');
      });
    });
  });
};
