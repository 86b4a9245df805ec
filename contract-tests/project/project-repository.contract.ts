import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Project, ProjectShare } from '../../core/project/model.js';
import type { ProjectRepository } from '../../core/project/ports.js';
import { aProject, anId, atMinute as at } from './builders.js';
import { describeProjectListingContract, idsOfEveryPage } from './project-listing.contract.js';

export interface ProjectRepositoryFixture {
  readonly repo: ProjectRepository;
  close(): Promise<void>;
}

/**
 * Every ProjectRepository adapter runs this suite (STYLE.md 14). Each fixture must start empty
 * (a fresh schema or database per fixture), since listings of public projects are global.
 */
export function describeProjectRepositoryContract(adapterName: string, createFixture: () => Promise<ProjectRepositoryFixture>): void {
  describe(`ProjectRepository contract: ${adapterName}`, () => {
    let fixture: ProjectRepositoryFixture;
    let repo: ProjectRepository;

    beforeEach(async () => {
      fixture = await createFixture();
      repo = fixture.repo;
    });
    afterEach(async () => {
      await fixture.close();
    });

    describe('create and findById', () => {
      it('finds a created project by id, with every field as stored', async () => {
        const project = aProject({
          description: '',
          templateId: null,
          configuration: { services: '12', autoscaling: 'true' },
          isPublic: true,
          status: 'archived',
          shares: [
            { userId: anId('user'), role: 'viewer', sharedAt: at(1) },
            { userId: anId('user'), role: 'editor', sharedAt: at(2) },
          ],
          collaborators: [anId('user')],
          createdAt: at(0),
          updatedAt: at(3),
          version: 7,
          revisions: { '/configuration/a~1b': { version: 6, clientId: 'client-1' } },
          revisionsPrunedThrough: 3,
        });

        await repo.create(project);

        expect(await repo.findById(project.id)).toEqual(project);
      });

      it('finds nothing for an unknown id', async () => {
        expect(await repo.findById(anId('project'))).toBeUndefined();
      });

      it('rejects a second project with the same id and keeps the first', async () => {
        const project = aProject();
        await repo.create(project);

        await expect(repo.create({ ...project, name: 'Impostor' })).rejects.toThrow();
        expect((await repo.findById(project.id))?.name).toBe(project.name);
      });
    });

    describe('copies', () => {
      it('is not changed by changing the object it was given', async () => {
        const configuration: Record<string, string> = { nodes: '3' };
        const shares: ProjectShare[] = [{ userId: anId('user'), role: 'viewer', sharedAt: at(1) }];
        const project = aProject({ configuration, shares });
        await repo.create(project);

        configuration.nodes = '999';
        shares.push({ userId: anId('user'), role: 'editor', sharedAt: at(2) });

        const found = await repo.findById(project.id);
        expect(found?.configuration).toEqual({ nodes: '3' });
        expect(found?.shares).toHaveLength(1);
      });

      it('is not changed by changing what it returned', async () => {
        const project = aProject({ configuration: { nodes: '3' } });
        await repo.create(project);

        const found = (await repo.findById(project.id)) as { configuration: Record<string, string>; name: string };
        found.configuration.nodes = '999';
        found.name = 'Changed outside';
        const listed = await repo.list({ ownerId: project.ownerId }, { limit: 10 });
        (listed.projects[0]!.shares as unknown as unknown[]).push({ userId: 'intruder', role: 'editor', sharedAt: 0 });

        expect(await repo.findById(project.id)).toEqual(project);
      });
    });

    describe('update', () => {
      it('stores the project with the next version when the version is current', async () => {
        const project = aProject();
        await repo.create(project);
        const changed: Project = {
          ...project,
          name: 'Renamed',
          configuration: { nodes: '9' },
          updatedAt: at(5),
          revisions: { '/name': { version: 2, clientId: '' }, '/configuration/load_profile': { version: 2, clientId: 'c' } },
        };

        const updated = await repo.update(changed);

        expect(updated).toEqual({ ok: true, value: { ...changed, version: 2 } });
        expect(await repo.findById(project.id)).toEqual({ ...changed, version: 2 });
      });

      it('stores the revisions as given: those left out (pruned, docs/adr/0063) are gone', async () => {
        const project = aProject({
          revisions: { '/name': { version: 1, clientId: 'a' }, '/configuration/gone': { version: 1, clientId: 'b' } },
        });
        await repo.create(project);
        const pruned = { revisions: { '/description': { version: 2, clientId: 'c' } }, revisionsPrunedThrough: 1 };

        await repo.update({ ...project, description: 'Pruned', ...pruned });

        expect(await repo.findById(project.id)).toMatchObject(pruned);
      });

      it('refuses a stale version and stores nothing', async () => {
        const project = aProject();
        await repo.create(project);
        const first = await repo.update({ ...project, name: 'First writer' });
        expect(first.ok).toBe(true);

        const second = await repo.update({ ...project, name: 'Second writer' });

        expect(second).toEqual({ ok: false, error: 'stale_version' });
        expect(await repo.findById(project.id)).toMatchObject({ name: 'First writer', version: 2 });
      });

      it('lets exactly one of two writers of the same version win', async () => {
        const project = aProject();
        await repo.create(project);

        const outcomes = await Promise.all([repo.update({ ...project, name: 'Writer A' }), repo.update({ ...project, name: 'Writer B' })]);

        expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
        expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([{ ok: false, error: 'stale_version' }]);
        expect((await repo.findById(project.id))?.version).toBe(2);
      });

      it('answers not_found for an unknown project', async () => {
        expect(await repo.update(aProject())).toEqual({ ok: false, error: 'not_found' });
      });

      it('keeps the stored collaborators, whatever the update carries', async () => {
        const project = aProject();
        await repo.create(project);
        const collaborator = anId('user');
        await repo.addCollaborator(project.id, collaborator);

        const updated = await repo.update({ ...project, name: 'Renamed', collaborators: [] });

        expect(updated.ok && updated.value.collaborators).toEqual([collaborator]);
        expect((await repo.findById(project.id))?.collaborators).toEqual([collaborator]);
      });
    });

    describe('delete', () => {
      it('removes the project, and says so only the first time', async () => {
        const project = aProject();
        await repo.create(project);

        expect(await repo.delete(project.id)).toBe(true);
        expect(await repo.findById(project.id)).toBeUndefined();
        expect(await repo.delete(project.id)).toBe(false);
      });

      it('leaves other projects alone', async () => {
        const kept = aProject();
        const removed = aProject({ ownerId: kept.ownerId });
        await repo.create(kept);
        await repo.create(removed);

        await repo.delete(removed.id);

        expect(await idsOfEveryPage(repo, { ownerId: kept.ownerId }, 100)).toEqual([kept.id]);
      });
    });

    describe('ownsAny', () => {
      it('says whether the user owns a project, of any status, until the last one is deleted', async () => {
        const owner = anId('user');
        expect(await repo.ownsAny(owner)).toBe(false);
        const archived = aProject({ ownerId: owner, status: 'archived' });
        await repo.create(aProject());
        expect(await repo.ownsAny(owner)).toBe(false);
        await repo.create(archived);
        expect(await repo.ownsAny(owner)).toBe(true);
        await repo.delete(archived.id);
        expect(await repo.ownsAny(owner)).toBe(false);
      });
    });

    describe('collaborators', () => {
      it('adds users in joining order, once each, without touching version or updatedAt', async () => {
        const project = aProject();
        await repo.create(project);
        const [ada, alan] = [anId('user'), anId('user')];

        const first = await repo.addCollaborator(project.id, ada);
        const second = await repo.addCollaborator(project.id, alan);
        const again = await repo.addCollaborator(project.id, ada);

        expect(first).toEqual({ collaborators: [ada], changed: true });
        expect(second).toEqual({ collaborators: [ada, alan], changed: true });
        expect(again).toEqual({ collaborators: [ada, alan], changed: false });
        expect(await repo.findById(project.id)).toMatchObject({
          collaborators: [ada, alan],
          version: project.version,
          updatedAt: project.updatedAt,
        });
      });

      it('removes a user, and changes nothing for a user not in the session', async () => {
        const project = aProject();
        await repo.create(project);
        const [ada, alan] = [anId('user'), anId('user')];
        await repo.addCollaborator(project.id, ada);
        await repo.addCollaborator(project.id, alan);

        const removed = await repo.removeCollaborator(project.id, ada);
        const absent = await repo.removeCollaborator(project.id, ada);

        expect(removed).toEqual({ collaborators: [alan], changed: true });
        expect(absent).toEqual({ collaborators: [alan], changed: false });
        expect((await repo.findById(project.id))?.collaborators).toEqual([alan]);
      });

      it('answers undefined for an unknown project', async () => {
        expect(await repo.addCollaborator(anId('project'), anId('user'))).toBeUndefined();
        expect(await repo.removeCollaborator(anId('project'), anId('user'))).toBeUndefined();
      });

      it('keeps every one of many concurrent joins', async () => {
        const project = aProject();
        await repo.create(project);
        const users = Array.from({ length: 10 }, () => anId('user'));

        await Promise.all(users.map((user) => repo.addCollaborator(project.id, user)));

        expect([...((await repo.findById(project.id))?.collaborators ?? [])].sort()).toEqual([...users].sort());
      });
    });

    describeProjectListingContract(() => repo);
  });
}
