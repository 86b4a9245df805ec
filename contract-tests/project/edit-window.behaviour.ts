import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Project } from '../../core/project/model.js';
import { valueOf } from './builders.js';
import { HARNESS_EDIT_WINDOW as WINDOW, type ProjectHarness, type ProjectHarnessFactory } from './project-harness.js';

/**
 * The edit window (docs/adr/0063): a project keeps the revisions of the changes made within the last
 * `editWindow` versions only, and an edit made against an older version is answered with the current
 * state. Run on every repository, so each one is seen to store the pruned revisions.
 */
export const describeEditWindowUseCases = (harness: ProjectHarnessFactory): void => {
  describe('the edit window', () => {
    let h: ProjectHarness;
    let owner: string;
    let editor: string;
    let project: Project;
    beforeEach(async () => {
      h = await harness();
      [owner, editor] = [h.aUser(), h.aUser()];
      project = await h.aProjectOf(owner, { configuration: { nodes: '3', rps: '100' } });
      await h.share(project, editor, 'editor');
    });
    afterEach(async () => {
      await h.close();
    });

    const stored = async () => (await h.fixture.repo.findById(project.id))!;
    const edit = async (userId: string, clientId: string, baseVersion: number, patch: unknown) =>
      valueOf(await h.service.editProject({ projectId: project.id, userId, clientId, opId: `op-${clientId}`, baseVersion, patch }));

    it('keeps only the revisions of the last versions, removed keys included, however many keys come and go', async () => {
      const from = (await stored()).version;
      const rounds = 3 * WINDOW;
      for (let n = 1; n <= rounds; n += 1) {
        const patch = [
          { op: 'add', path: `/configuration/temp-${n}`, value: String(n) },
          ...(n > 1 ? [{ op: 'remove', path: `/configuration/temp-${n - 1}` }] : []),
        ];
        expect(await edit(owner, 'c-owner', (await stored()).version, patch)).toMatchObject({ kind: 'applied' });
      }

      const after = await stored();
      expect(after.version).toBe(from + rounds);
      expect(after.configuration).toEqual({ nodes: '3', rps: '100', [`temp-${rounds}`]: String(rounds) });
      // Changed in the last WINDOW versions: temp-n added in n, temp-(n-1) removed in n.
      const recent = Array.from({ length: WINDOW + 1 }, (_, i) => `/configuration/temp-${rounds - WINDOW + i}`);
      expect(Object.keys(after.revisions).sort()).toEqual(recent.sort());
      expect(Object.values(after.revisions).every((revision) => revision.version > after.version - WINDOW)).toBe(true);
      expect(after.revisionsPrunedThrough).toBe(after.version - WINDOW);
    });

    it('prunes on updates from outside a session too', async () => {
      const base = (await stored()).version;
      await edit(owner, 'c-owner', base, [{ op: 'replace', path: '/configuration/nodes', value: '6' }]);
      for (let n = 1; n <= WINDOW; n += 1)
        valueOf(await h.service.updateProject({ projectId: project.id, userId: owner, description: `take ${n}` }));

      const after = await stored();
      expect(after.revisions).toEqual({ '/description': { version: after.version, clientId: '' } });
    });

    it('answers an edit made against a version older than the window with the current state', async () => {
      const base = (await stored()).version;
      for (let n = 1; n <= WINDOW + 1; n += 1)
        await edit(owner, 'c-owner', (await stored()).version, [{ op: 'replace', path: '/configuration/rps', value: String(100 + n) }]);
      const now = await stored();
      const current = { name: now.name, description: now.description, configuration: { nodes: '3', rps: String(101 + WINDOW) } };

      // nodes changed in no version since `base`, but that can no longer be told: a conflict with no change named.
      expect(await edit(editor, 'c-editor', base, [{ op: 'replace', path: '/configuration/nodes', value: '9' }])).toEqual({
        kind: 'conflict',
        path: '/configuration/nodes',
        currentValue: '3',
        changedIn: 0,
        changedBy: '',
        document: current,
        version: now.version,
      });
      // rps changed within the window: the change is named.
      expect(await edit(editor, 'c-editor', base, [{ op: 'replace', path: '/configuration/rps', value: '1' }])).toMatchObject({
        kind: 'conflict',
        changedIn: now.version,
        changedBy: 'c-owner',
      });
      expect((await stored()).version).toBe(now.version);
      // The oldest version within the window is still decided path by path.
      expect(await edit(editor, 'c-editor', now.version - WINDOW, [{ op: 'replace', path: '/configuration/nodes', value: '9' }])).toEqual({
        kind: 'applied',
        version: now.version + 1,
        ops: [{ op: 'replace', path: '/configuration/nodes', value: '9' }],
        rebased: true,
      });
    });
  });
};
