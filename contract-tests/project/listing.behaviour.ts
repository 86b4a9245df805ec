import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Project } from '../../core/project/model.js';
import { failureOf, valueOf } from './builders.js';
import type { ProjectHarness, ProjectHarnessFactory } from './project-harness.js';

/** listProjects. */
export const describeListingUseCases = (harness: ProjectHarnessFactory): void => {
  describe('listing', () => {
    let h: ProjectHarness;
    let me: string;
    beforeEach(async () => {
      h = await harness();
      me = h.aUser();
    });
    afterEach(async () => {
      await h.close();
    });

    const ids = (projects: readonly Project[]): string[] => projects.map((project) => project.id);

    describe('by filter', () => {
      let mine: Project;
      let minePublic: Project;
      let sharedWithMe: Project;
      let othersPublic: Project;
      let archivedMine: Project;

      beforeEach(async () => {
        const other = h.aUser();
        mine = await h.aProjectOf(me);
        minePublic = await h.aProjectOf(me, { isPublic: true });
        sharedWithMe = await h.aProjectOf(other);
        await h.share(sharedWithMe, me, 'viewer');
        othersPublic = await h.aProjectOf(other, { isPublic: true });
        await h.aProjectOf(other); // private, never listed for me
        archivedMine = await h.aProjectOf(me);
        await h.service.updateProject({ projectId: archivedMine.id, userId: me, status: 'archived' });
      });

      it('lists everything the caller can read by default, newest first', async () => {
        const page = valueOf(await h.service.listProjects({ userId: me }));

        expect(ids(page.projects)).toEqual([archivedMine.id, othersPublic.id, sharedWithMe.id, minePublic.id, mine.id]);
        expect(page.totalCount).toBe(5);
        expect(page.nextPageToken).toBeUndefined();
      });

      it('lists only the caller’s own, only those shared with the caller, or only public ones', async () => {
        const owned = valueOf(await h.service.listProjects({ userId: me, filter: 'owned' }));
        const shared = valueOf(await h.service.listProjects({ userId: me, filter: 'shared' }));
        const publicOnes = valueOf(await h.service.listProjects({ userId: me, filter: 'public' }));

        expect(ids(owned.projects)).toEqual([archivedMine.id, minePublic.id, mine.id]);
        expect(ids(shared.projects)).toEqual([sharedWithMe.id]);
        expect(ids(publicOnes.projects)).toEqual([othersPublic.id, minePublic.id]);
      });

      it('combines scopes given as a list', async () => {
        const page = valueOf(await h.service.listProjects({ userId: me, filter: ['owned', 'shared'] }));

        expect(ids(page.projects)).toEqual([archivedMine.id, sharedWithMe.id, minePublic.id, mine.id]);
      });

      it('lists only projects of a status when asked', async () => {
        const active = valueOf(await h.service.listProjects({ userId: me, filter: 'owned', status: 'active' }));
        const archived = valueOf(await h.service.listProjects({ userId: me, status: 'archived' }));

        expect(ids(active.projects)).toEqual([minePublic.id, mine.id]);
        expect(ids(archived.projects)).toEqual([archivedMine.id]);
        expect(archived.totalCount).toBe(1);
      });

      it('lists another user’s view, not the caller’s', async () => {
        const stranger = h.aUser();

        const page = valueOf(await h.service.listProjects({ userId: stranger }));

        expect(ids(page.projects)).toEqual([othersPublic.id, minePublic.id]);
      });
    });

    describe('pagination', () => {
      it('pages with opaque tokens through every project exactly once', async () => {
        const created: Project[] = [];
        for (let index = 0; index < 5; index += 1) created.push(await h.aProjectOf(me));

        const first = valueOf(await h.service.listProjects({ userId: me, pageSize: 2 }));
        const second = valueOf(await h.service.listProjects({ userId: me, pageSize: 2, pageToken: first.nextPageToken! }));
        const third = valueOf(await h.service.listProjects({ userId: me, pageSize: 2, pageToken: second.nextPageToken! }));

        expect([...ids(first.projects), ...ids(second.projects), ...ids(third.projects)]).toEqual(ids([...created].reverse()));
        expect([first.totalCount, second.totalCount, third.totalCount]).toEqual([5, 5, 5]);
        expect(third.nextPageToken).toBeUndefined();
        expect(first.nextPageToken).not.toContain(first.projects[1]!.id);
      });

      it('does not repeat or skip projects when one is created while paging', async () => {
        const created: Project[] = [];
        for (let index = 0; index < 4; index += 1) created.push(await h.aProjectOf(me));
        const first = valueOf(await h.service.listProjects({ userId: me, pageSize: 2 }));

        await h.aProjectOf(me);
        const second = valueOf(await h.service.listProjects({ userId: me, pageSize: 2, pageToken: first.nextPageToken! }));

        expect(ids(second.projects)).toEqual([created[1]!.id, created[0]!.id]);
        expect(second.totalCount).toBe(5);
      });

      it('serves 20 projects per page by default', async () => {
        for (let index = 0; index < 21; index += 1) await h.aProjectOf(me);

        const page = valueOf(await h.service.listProjects({ userId: me }));

        expect(page.projects).toHaveLength(20);
        expect(page.totalCount).toBe(21);
        expect(page.nextPageToken).toBeDefined();
      });

      it('refuses a page size outside 1..100', async () => {
        for (const pageSize of [0, 101, 2.5]) {
          const failure = failureOf(await h.service.listProjects({ userId: me, pageSize }));
          expect(failure.violations).toEqual([{ field: 'pageSize', message: 'must be a whole number from 1 to 100' }]);
        }
        expect(valueOf(await h.service.listProjects({ userId: me, pageSize: 100 })).projects).toEqual([]);
      });

      it('refuses a page token it did not issue, including a template listing token', async () => {
        const templateToken = valueOf(await h.service.listTemplates({ pageSize: 1 })).nextPageToken!;

        for (const pageToken of ['not-a-token', 'abc', templateToken]) {
          const failure = failureOf(await h.service.listProjects({ userId: me, pageToken }));
          expect(failure).toMatchObject({ kind: 'invalid', code: 'invalid_page_token' });
        }
      });
    });
  });
};
