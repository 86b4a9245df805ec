import { beforeEach, describe, expect, it } from 'vitest';
import type { ProjectCursor, ProjectPage, ProjectQuery, ProjectRepository } from '../../core/project/ports.js';
import { aProject, anId, atMinute as at } from './builders.js';

/** The listing part of the ProjectRepository contract (order, cursors, filters), on the repository `repository()` gives. */
export function describeProjectListingContract(repository: () => ProjectRepository): void {
  let repo: ProjectRepository;
  beforeEach(() => {
    repo = repository();
  });

  const listAll = (query: ProjectQuery): Promise<string[]> => idsOfEveryPage(repo, query, 100);

  describe('list', () => {
    it('lists newest first, ties broken by id descending', async () => {
      const owner = anId('user');
      const oldest = aProject({ ownerId: owner, id: 'project-a', createdAt: at(1) });
      const tiedLow = aProject({ ownerId: owner, id: 'project-b', createdAt: at(2) });
      const tiedHigh = aProject({ ownerId: owner, id: 'project-c', createdAt: at(2) });
      const newest = aProject({ ownerId: owner, id: 'project-0', createdAt: at(3) });
      for (const project of [tiedLow, oldest, newest, tiedHigh]) await repo.create(project);

      const page = await repo.list({ ownerId: owner }, { limit: 10 });

      expect(page.projects.map((project) => project.id)).toEqual(['project-0', 'project-c', 'project-b', 'project-a']);
      expect(page.projects[0]).toEqual(newest);
      expect(page.totalCount).toBe(4);
      expect(page.next).toBeUndefined();
    });

    it('pages through every project exactly once, with the total on every page', async () => {
      const owner = anId('user');
      const projects = Array.from({ length: 7 }, (_, index) =>
        // Two projects per minute, so pages end between tied timestamps too.
        aProject({ ownerId: owner, createdAt: at(Math.floor(index / 2)) }),
      );
      for (const project of projects) await repo.create(project);

      const first = await repo.list({ ownerId: owner }, { limit: 3 });
      const second = await repo.list({ ownerId: owner }, { limit: 3, after: first.next! });
      const third = await repo.list({ ownerId: owner }, { limit: 3, after: second.next! });

      expect([first, second, third].map((page) => page.projects.length)).toEqual([3, 3, 1]);
      expect([first, second, third].map((page) => page.totalCount)).toEqual([7, 7, 7]);
      expect(third.next).toBeUndefined();
      const everyId = [first, second, third].flatMap((page) => page.projects.map((project) => project.id));
      const expected = [...projects].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).map((project) => project.id);
      expect(everyId).toEqual(expected);
    });

    it('has no next cursor when the last page is exactly full', async () => {
      const owner = anId('user');
      for (let index = 0; index < 4; index += 1) await repo.create(aProject({ ownerId: owner, createdAt: at(index) }));

      const first = await repo.list({ ownerId: owner }, { limit: 2 });
      const second = await repo.list({ ownerId: owner }, { limit: 2, after: first.next! });

      expect(second.projects).toHaveLength(2);
      expect(second.next).toBeUndefined();
    });

    it('keeps later pages stable when projects are created or deleted between calls', async () => {
      const owner = anId('user');
      const projects = Array.from({ length: 6 }, (_, index) => aProject({ ownerId: owner, createdAt: at(10 + index) }));
      for (const project of projects) await repo.create(project);
      const first = await repo.list({ ownerId: owner }, { limit: 2 });

      await repo.create(aProject({ ownerId: owner, createdAt: at(100) })); // newer: belongs before page one
      await repo.delete(first.projects[0]!.id); // already read
      const rest = await idsOfEveryPage(repo, { ownerId: owner }, 2, first.next);

      const expected = projects
        .slice(0, 4)
        .reverse()
        .map((project) => project.id);
      expect(rest).toEqual(expected);
    });

    it('continues after a cursor whose project was deleted', async () => {
      const owner = anId('user');
      const projects = Array.from({ length: 4 }, (_, index) => aProject({ ownerId: owner, createdAt: at(index) }));
      for (const project of projects) await repo.create(project);
      const first = await repo.list({ ownerId: owner }, { limit: 2 });

      await repo.delete(first.projects[1]!.id);
      const second = await repo.list({ ownerId: owner }, { limit: 2, after: first.next! });

      expect(second.projects.map((project) => project.id)).toEqual([projects[1]!.id, projects[0]!.id]);
    });

    describe('filters', () => {
      const viewer = anId('user');
      const owner = anId('user');
      const someoneElse = anId('user');
      const owned = aProject({ ownerId: owner, createdAt: at(1) });
      const ownedPublic = aProject({ ownerId: owner, isPublic: true, createdAt: at(2) });
      const sharedWithViewer = aProject({
        ownerId: someoneElse,
        shares: [
          { userId: anId('user'), role: 'editor', sharedAt: at(3) },
          { userId: viewer, role: 'viewer', sharedAt: at(3) },
        ],
        createdAt: at(3),
      });
      const othersPublic = aProject({ ownerId: someoneElse, isPublic: true, createdAt: at(4) });
      const othersPrivate = aProject({ ownerId: someoneElse, createdAt: at(5) });
      const archivedOwned = aProject({ ownerId: owner, status: 'archived', createdAt: at(6) });

      beforeEach(async () => {
        for (const project of [owned, ownedPublic, sharedWithViewer, othersPublic, othersPrivate, archivedOwned]) {
          await repo.create(project);
        }
      });

      it('lists the projects of an owner', async () => {
        expect(await listAll({ ownerId: owner })).toEqual([archivedOwned.id, ownedPublic.id, owned.id]);
      });

      it('lists the projects shared with a user, whatever the role', async () => {
        expect(await listAll({ sharedWithUserId: viewer })).toEqual([sharedWithViewer.id]);
      });

      it('lists every public project', async () => {
        expect(await listAll({ includePublic: true })).toEqual([othersPublic.id, ownedPublic.id]);
      });

      it('lists a project matching several criteria once', async () => {
        const page = await repo.list({ ownerId: owner, includePublic: true }, { limit: 100 });

        expect(page.projects.map((project) => project.id)).toEqual([archivedOwned.id, othersPublic.id, ownedPublic.id, owned.id]);
        expect(page.totalCount).toBe(4);
      });

      it('combines the criteria as alternatives', async () => {
        expect(await listAll({ ownerId: viewer, sharedWithUserId: viewer, includePublic: true })).toEqual([
          othersPublic.id,
          sharedWithViewer.id,
          ownedPublic.id,
        ]);
      });

      it('restricts every criterion to a status', async () => {
        const active = await repo.list({ ownerId: owner, status: 'active' }, { limit: 100 });
        const archived = await repo.list({ ownerId: owner, status: 'archived' }, { limit: 100 });

        expect(active.projects.map((project) => project.id)).toEqual([ownedPublic.id, owned.id]);
        expect(active.totalCount).toBe(2);
        expect(archived.projects.map((project) => project.id)).toEqual([archivedOwned.id]);
      });

      it('lists nothing for a query without criteria', async () => {
        expect(await repo.list({}, { limit: 100 })).toEqual({ projects: [], totalCount: 0 });
        expect(await repo.list({ status: 'active' }, { limit: 100 })).toEqual({ projects: [], totalCount: 0 });
      });

      it('lists nothing for a user with no projects', async () => {
        expect(await repo.list({ ownerId: anId('user'), sharedWithUserId: anId('user') }, { limit: 10 })).toEqual({
          projects: [],
          totalCount: 0,
        });
      });
    });
  });
}

/** Ids of every project the query lists, following the pages `limit` at a time from `after`. */
export const idsOfEveryPage = async (
  repo: ProjectRepository,
  query: ProjectQuery,
  limit: number,
  after?: ProjectCursor,
): Promise<string[]> => {
  const ids: string[] = [];
  let cursor = after;
  do {
    const page: ProjectPage = await repo.list(query, { limit, ...(cursor ? { after: cursor } : {}) });
    ids.push(...page.projects.map((project) => project.id));
    cursor = page.next;
  } while (cursor);
  return ids;
};
