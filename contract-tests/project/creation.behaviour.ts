import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventChannels } from '../../core/messaging/channels.js';
import { findTemplate } from '../../core/project/templates.js';
import { failureOf, valueOf } from './builders.js';
import type { ProjectHarness, ProjectHarnessFactory } from './project-harness.js';

/** createProject, getProject. */
export const describeCreationUseCases = (harness: ProjectHarnessFactory): void => {
  describe('creating and reading projects', () => {
    let h: ProjectHarness;
    let owner: string;
    beforeEach(async () => {
      h = await harness();
      owner = h.aUser();
    });
    afterEach(async () => {
      await h.close();
    });

    describe('createProject', () => {
      it('creates an active private project owned by the caller, with a trimmed name', async () => {
        const created = valueOf(await h.service.createProject({ userId: owner, name: '  Checkout  ', description: 'Black Friday' }));

        expect(created).toMatchObject({
          ownerId: owner,
          name: 'Checkout',
          description: 'Black Friday',
          templateId: null,
          configuration: {},
          isPublic: false,
          status: 'active',
          shares: [],
          collaborators: [],
          createdAt: h.clock.now(),
          updatedAt: h.clock.now(),
          version: 1,
          revisions: {},
          revisionsPrunedThrough: 0,
        });
        expect(await h.fixture.repo.findById(created.id)).toEqual(created);
      });

      it('announces the project on project:events:created', async () => {
        const created = valueOf(await h.service.createProject({ userId: owner, name: 'Checkout' }));

        expect(await h.events.on(EventChannels.projectCreated)).toEqual([
          {
            type: 'created',
            event_id: expect.any(String),
            project_id: created.id,
            user_id: owner,
            timestamp: h.clock.now(),
            name: 'Checkout',
          },
        ]);
      });

      it('emails the owner about their first project, and not about the next ones (docs/adr/0055)', async () => {
        const first = valueOf(await h.service.createProject({ userId: owner, name: 'Checkout' }));
        valueOf(await h.service.createProject({ userId: owner, name: 'Search' }));
        const other = h.aUser();
        const theirs = valueOf(await h.service.createProject({ userId: other, name: 'Billing' }));

        expect(await h.emailJobs()).toEqual([
          { type: 'first_project_email', payload: { user_id: owner, project_id: first.id, project_name: 'Checkout' } },
          { type: 'first_project_email', payload: { user_id: other, project_id: theirs.id, project_name: 'Billing' } },
        ]);
      });

      it("starts from the template's configuration", async () => {
        const created = valueOf(await h.service.createProject({ userId: owner, name: 'Shop', templateId: 'monolith' }));

        expect(created.templateId).toBe('monolith');
        expect(created.configuration).toEqual(findTemplate('monolith')?.configuration);
      });

      it("lays the request's configuration over the template's, key by key", async () => {
        const created = valueOf(
          await h.service.createProject({
            userId: owner,
            name: 'Shop',
            templateId: 'microservices',
            configuration: { nodes: '20', seed: '42' },
          }),
        );

        expect(created.configuration).toEqual({ ...findTemplate('microservices')?.configuration, nodes: '20', seed: '42' });
      });

      it('treats an empty template id as no template', async () => {
        const created = valueOf(await h.service.createProject({ userId: owner, name: 'Blank', templateId: '' }));

        expect(created).toMatchObject({ templateId: null, configuration: {} });
      });

      it('refuses an unknown template, storing and announcing nothing', async () => {
        const failure = failureOf(await h.service.createProject({ userId: owner, name: 'Shop', templateId: 'mainframe' }));

        expect(failure).toMatchObject({ kind: 'not_found', code: 'template_not_found' });
        expect(failure.violations).toEqual([{ field: 'templateId', message: 'is not a known template' }]);
        expect(await listedIds(h, owner)).toEqual([]);
        expect(await h.events.on()).toEqual([]);
      });

      it('refuses a user without project:create, with the reason, storing and announcing nothing', async () => {
        h.authorization.revoke(owner, 'project:create', 'account suspended');

        const failure = failureOf(await h.service.createProject({ userId: owner, name: 'Shop' }));

        expect(failure).toMatchObject({ kind: 'forbidden', code: 'permission_denied' });
        expect(failure.message).toContain('account suspended');
        expect(await listedIds(h, owner)).toEqual([]);
        expect(await h.events.on()).toEqual([]);
      });

      it('needs only project:create: other revoked permissions do not matter', async () => {
        h.authorization.revoke(owner, 'project:delete');

        expect((await h.service.createProject({ userId: owner, name: 'Shop' })).ok).toBe(true);
      });

      it('reports every invalid field at once', async () => {
        const failure = failureOf(
          await h.service.createProject({
            userId: owner,
            name: '   ',
            description: 'd'.repeat(2001),
            configuration: { ['k'.repeat(65)]: '1', nodes: 'v'.repeat(1025) },
          }),
        );

        expect(failure).toMatchObject({ kind: 'invalid', code: 'invalid_input' });
        expect(failure.violations).toEqual([
          { field: 'name', message: 'is required' },
          { field: 'description', message: 'must be at most 2000 characters' },
          { field: `configuration.${'k'.repeat(65)}`, message: 'key must be at most 64 characters' },
          { field: 'configuration.nodes', message: 'value must be at most 1024 characters' },
        ]);
        expect(await listedIds(h, owner)).toEqual([]);
      });

      it('accepts a name of exactly 100 characters and refuses 101', async () => {
        expect((await h.service.createProject({ userId: owner, name: 'n'.repeat(100) })).ok).toBe(true);

        const failure = failureOf(await h.service.createProject({ userId: owner, name: 'n'.repeat(101) }));
        expect(failure.violations).toEqual([{ field: 'name', message: 'must be at most 100 characters' }]);
      });

      it('refuses more than 100 configuration keys, counting the template keys too', async () => {
        const many = Object.fromEntries(Array.from({ length: 90 }, (_, index) => [`extra_${index}`, 'x']));

        const failure = failureOf(
          await h.service.createProject({ userId: owner, name: 'Big', templateId: 'microservices', configuration: many }),
        );

        expect(failure.violations).toEqual([{ field: 'configuration', message: 'must have at most 100 keys' }]);
      });
    });

    describe('getProject', () => {
      it('gives the owner the project without its configuration unless asked for', async () => {
        const project = await h.aProjectOf(owner, { templateId: 'monolith' });

        const plain = valueOf(await h.service.getProject({ projectId: project.id, userId: owner }));
        const full = valueOf(await h.service.getProject({ projectId: project.id, userId: owner, includeConfiguration: true }));

        expect(plain).not.toHaveProperty('configuration');
        expect(plain).toMatchObject({ id: project.id, name: project.name, ownerId: owner, access: 'owner' });
        expect(full.configuration).toEqual(findTemplate('monolith')?.configuration);
      });

      it('lets editors and viewers read, and shows them the shares', async () => {
        const project = await h.aProjectOf(owner);
        const [editor, viewer] = [h.aUser(), h.aUser()];
        await h.share(project, editor, 'editor');
        await h.share(project, viewer, 'viewer');

        const asEditor = valueOf(await h.service.getProject({ projectId: project.id, userId: editor }));
        const asViewer = valueOf(await h.service.getProject({ projectId: project.id, userId: viewer }));

        expect(asEditor.access).toBe('editor');
        expect(asViewer.access).toBe('viewer');
        expect(asViewer.shares.map((share) => share.userId)).toEqual([editor, viewer]);
      });

      it('lets any user read a public project, without showing who it is shared with', async () => {
        const project = await h.aProjectOf(owner, { isPublic: true });
        await h.share(project, h.aUser(), 'editor');

        const read = valueOf(await h.service.getProject({ projectId: project.id, userId: h.aUser() }));

        expect(read).toMatchObject({ id: project.id, access: 'public', shares: [] });
      });

      it('answers a stranger to a private project exactly as for a project that does not exist', async () => {
        const project = await h.aProjectOf(owner);
        const stranger = h.aUser();

        const hidden = failureOf(await h.service.getProject({ projectId: project.id, userId: stranger }));
        const missing = failureOf(await h.service.getProject({ projectId: 'project-missing', userId: stranger }));

        expect(hidden).toMatchObject({ kind: 'not_found', code: 'project_not_found' });
        expect(hidden).toEqual(missing);
      });
    });
  });
};

const listedIds = async (h: ProjectHarness, userId: string): Promise<string[]> =>
  valueOf(await h.service.listProjects({ userId, filter: 'owned' })).projects.map((project) => project.id);
