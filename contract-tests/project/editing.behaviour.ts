import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventChannels, Streams } from '../../core/messaging/channels.js';
import { applyStoredOps, type PatchOperation, type ProjectDocument } from '../../core/project/index.js';
import type { Project } from '../../core/project/model.js';
import { failureOf, valueOf } from './builders.js';
import type { ProjectHarness, ProjectHarnessFactory } from './project-harness.js';

/** editProject: collaborative edits ordered through the collaboration stream (docs/adr/0050). */
export const describeEditingUseCases = (harness: ProjectHarnessFactory): void => {
  describe('collaborative editing', () => {
    let h: ProjectHarness;
    let owner: string;
    let editor: string;
    let viewer: string;
    let project: Project;
    let setUpVersion: number;
    beforeEach(async () => {
      h = await harness();
      [owner, editor, viewer] = [h.aUser(), h.aUser(), h.aUser()];
      project = await h.aProjectOf(owner, { configuration: { nodes: '3', rps: '100' } });
      await h.share(project, editor, 'editor');
      await h.share(project, viewer, 'viewer');
      setUpVersion = (await h.fixture.repo.findById(project.id))!.version;
    });
    afterEach(async () => {
      await h.close();
    });

    const edit = (userId: string, clientId: string, baseVersion: number, patch: unknown, opId = `op-${clientId}`) =>
      h.service.editProject({ projectId: project.id, userId, clientId, opId, baseVersion, patch });
    const set = (key: string, value: string) => [{ op: 'replace', path: `/configuration/${key}`, value }];
    const allEdits = async () => (await h.streamEntries(Streams.collaboration(project.id))).filter((entry) => entry.type === 'edit');
    /** The edit entries of the versions stored after the set-up (the shares). */
    const edits = async () => (await allEdits()).filter((entry) => Number(entry.version) > setUpVersion);

    it('gives every stored version an edit entry, sharing included (its ops empty)', async () => {
      const created = setUpVersion - 2;
      expect((await allEdits()).map((entry) => [Number(entry.version), entry.ops, entry.user_id])).toEqual([
        [created + 1, '[]', owner],
        [created + 2, '[]', owner],
      ]);
    });

    it('stores an edit, publishes project:events:updated and appends the edit entry with the next version', async () => {
      const base = (await h.fixture.repo.findById(project.id))!.version;

      const outcome = valueOf(await edit(owner, 'c-owner', base, set('nodes', '6'), 'op-1'));

      expect(outcome).toEqual({ kind: 'applied', version: base + 1, ops: set('nodes', '6'), rebased: false });
      expect((await h.fixture.repo.findById(project.id))?.configuration).toEqual({ nodes: '6', rps: '100' });
      expect(await edits()).toEqual([
        {
          type: 'edit',
          version: String(base + 1),
          user_id: owner,
          client_id: 'c-owner',
          op_id: 'op-1',
          ops: JSON.stringify(set('nodes', '6')),
          timestamp: String(h.clock.now()),
        },
      ]);
      expect((await h.events.on(EventChannels.projectUpdated)).at(-1)).toMatchObject({ change: 'modified', changes: ['configuration'] });
    });

    it('keeps both changes when two editors change different entries from the same version', async () => {
      const base = (await h.fixture.repo.findById(project.id))!.version;

      valueOf(await edit(owner, 'c-owner', base, set('nodes', '6')));
      const second = valueOf(await edit(editor, 'c-editor', base, set('rps', '250')));

      expect(second).toMatchObject({ kind: 'applied', rebased: true, version: base + 2 });
      expect((await h.fixture.repo.findById(project.id))?.configuration).toEqual({ nodes: '6', rps: '250' });
    });

    it('lets one of two editors of the same entry win and tells the other the current value', async () => {
      const base = (await h.fixture.repo.findById(project.id))!.version;

      valueOf(await edit(owner, 'c-owner', base, set('nodes', '6')));
      const lost = valueOf(await edit(editor, 'c-editor', base, set('nodes', '9')));

      expect(lost).toMatchObject({
        kind: 'conflict',
        path: '/configuration/nodes',
        currentValue: '6',
        changedIn: base + 1,
        changedBy: 'c-owner',
        version: base + 1,
        document: { configuration: { nodes: '6', rps: '100' } },
      });
      expect((await h.fixture.repo.findById(project.id))?.configuration).toEqual({ nodes: '6', rps: '100' });
      expect(await edits()).toHaveLength(1);
    });

    it('lets every collaborator rebuild the stored document from the edit entries, REST updates included', async () => {
      const start = (await h.fixture.repo.findById(project.id))!;
      let copy: ProjectDocument = { name: start.name, description: start.description, configuration: start.configuration };
      valueOf(await edit(owner, 'a', start.version, [{ op: 'add', path: '/configuration/zones', value: '2' }]));
      valueOf(await h.service.updateProject({ projectId: project.id, userId: editor, description: 'from the API', status: 'archived' }));
      valueOf(
        await edit(editor, 'b', start.version, [
          { op: 'remove', path: '/configuration/rps' },
          { op: 'replace', path: '/name', value: 'Next' },
        ]),
      );
      valueOf(await h.service.updateProject({ projectId: project.id, userId: owner, isPublic: true }));

      const entries = await edits();
      for (const entry of entries) copy = applyStoredOps(copy, JSON.parse(entry.ops!) as PatchOperation[]);

      const stored = (await h.fixture.repo.findById(project.id))!;
      expect(entries.map((entry) => Number(entry.version))).toEqual([2, 3, 4, 5].map((n) => start.version - 1 + n));
      expect(copy).toEqual({ name: stored.name, description: stored.description, configuration: stored.configuration });
      expect(stored.configuration).toEqual({ nodes: '3', zones: '2' });
    });

    it('conflicts with a change made through UpdateProject since the base version', async () => {
      const base = (await h.fixture.repo.findById(project.id))!.version;
      valueOf(await h.service.updateProject({ projectId: project.id, userId: owner, configuration: { nodes: '4' } }));

      expect(valueOf(await edit(editor, 'c', base, set('nodes', '5')))).toMatchObject({ kind: 'conflict', changedBy: '' });
    });

    it('refuses a viewer with a clear forbidden answer, and strangers with project_not_found', async () => {
      const base = (await h.fixture.repo.findById(project.id))!.version;

      const refused = failureOf(await edit(viewer, 'c-viewer', base, set('nodes', '1')));
      expect(refused).toMatchObject({ kind: 'forbidden', code: 'action_not_allowed' });
      expect(refused.message).toMatch(/viewer.*watch/);
      expect(failureOf(await edit(h.aUser(), 'c-x', base, set('nodes', '1')))).toMatchObject({ kind: 'not_found' });
      expect(await edits()).toEqual([]);
    });

    it('refuses a malformed patch as invalid_input naming the operation', async () => {
      const base = (await h.fixture.repo.findById(project.id))!.version;

      expect(failureOf(await edit(owner, 'c', base, [{ op: 'replace', path: '/owner_id', value: 'me' }]))).toMatchObject({
        kind: 'invalid',
        violations: [{ field: 'patch[0].path', message: expect.any(String) }],
      });
    });
  });
};
