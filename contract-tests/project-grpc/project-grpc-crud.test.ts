import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '../../core/auth/model.js';
import { meshProtoPaths } from '../../test-support/proto-files.js';
import { assertEveryRpcRegistered } from '../grpc/assert-every-rpc-registered.js';
import { callUnary, callUnaryError } from '../support/grpc-unary.js';
import { createRequest, failureCode, startProjectGrpc, violatedFields, type ProjectGrpcServer } from './project-grpc-fixture.js';
import { deadAddress, startRealAuth, type RealAuth } from './real-auth-server.js';

/** project.ProjectService over a real loopback socket, with a real auth service behind GrpcAuthClient: projects' lifecycle. */
describe('project gRPC server: projects', () => {
  let auth: RealAuth;
  let project: ProjectGrpcServer;
  let owner: Profile;
  let stranger: Profile;

  const rpc = () => project.client;
  const create = (request = createRequest(owner)) => callUnary(rpc().createProject.bind(rpc()), request);
  const get = (projectId: string, userId: string, includeConfiguration = false) =>
    callUnary(rpc().getProject.bind(rpc()), { projectId, userId, includeConfiguration });
  const getError = (projectId: string, userId: string) =>
    callUnaryError(rpc().getProject.bind(rpc()), { projectId, userId, includeConfiguration: false });
  const update = (request: Partial<Parameters<typeof project.client.updateProject>[0]>) => ({
    configuration: {},
    removedConfigurationKeys: [],
    expectedUpdatedAt: 0,
    projectId: '',
    userId: '',
    ...request,
  });
  const list = (userId: string, overrides: Partial<Parameters<typeof project.client.listProjects>[0]> = {}) => ({
    userId,
    pageSize: 0,
    pageToken: '',
    includeShared: false,
    includePublic: false,
    status: '',
    ...overrides,
  });

  beforeAll(async () => {
    auth = await startRealAuth();
    project = await startProjectGrpc(auth.address);
    owner = await auth.harness.registerUser();
    stranger = await auth.harness.registerUser();
  });
  afterAll(async () => {
    await project?.stop();
    await auth?.stop();
  });

  it('registers every rpc of project.proto', async () => {
    const probes = await assertEveryRpcRegistered(
      project.server.address,
      meshProtoPaths().filter((file) => file.endsWith('project.proto')),
    );
    expect(probes.map((probe) => probe.path)).toContain('/project.ProjectService/JoinCollaboration');
  });

  it('creates a project from a template and reads it back with its configuration', async () => {
    const created = await create(createRequest(owner, { templateId: 'monolith', configuration: { nodes: '5' }, description: 'Q3' }));
    expect(created).toMatchObject({ name: 'Capacity plan', status: 'active', templateUsed: 'monolith' });
    expect(created.createdAt).toBeGreaterThan(0);

    const read = await get(created.projectId, owner.id, true);
    expect(read).toMatchObject({ projectId: created.projectId, ownerId: owner.id, description: 'Q3', status: 'active', collaborators: [] });
    expect(read.configuration).toMatchObject({ nodes: '5', services: '1' });
    expect((await get(created.projectId, owner.id, false)).configuration).toEqual({});
  });

  it('refuses a project without user id or name, with an invalid configuration, or from an unknown template', async () => {
    const noUser = await callUnaryError(rpc().createProject.bind(rpc()), createRequest({ id: '' }));
    expect(noUser.code).toBe(status.INVALID_ARGUMENT);
    expect(violatedFields(noUser)).toEqual(['user_id']);

    const badConfiguration = await callUnaryError(
      rpc().createProject.bind(rpc()),
      createRequest(owner, { name: ' ', configuration: { [' ']: '1', ['k'.repeat(65)]: 'v' } }),
    );
    expect(badConfiguration.code).toBe(status.INVALID_ARGUMENT);
    expect(violatedFields(badConfiguration)).toEqual(['name', 'configuration. ', `configuration.${'k'.repeat(65)}`]);

    const unknownTemplate = await callUnaryError(rpc().createProject.bind(rpc()), createRequest(owner, { templateId: 'mainframe' }));
    expect(unknownTemplate.code).toBe(status.NOT_FOUND);
    expect(failureCode(unknownTemplate)).toBe('template_not_found');
  });

  it('denies creation to a user the auth service does not grant project:create', async () => {
    const denied = await callUnaryError(rpc().createProject.bind(rpc()), createRequest({ id: 'not-a-registered-user' }));

    expect(denied.code).toBe(status.PERMISSION_DENIED);
    expect(failureCode(denied)).toBe('permission_denied');
  });

  it("answers NOT_FOUND for an unknown project and for someone else's private one, INVALID_ARGUMENT without ids", async () => {
    const { projectId } = await create();

    expect((await getError('no-such-project', owner.id)).code).toBe(status.NOT_FOUND);
    expect((await getError(projectId, stranger.id)).code).toBe(status.NOT_FOUND);
    const missing = await getError('', '');
    expect(missing.code).toBe(status.INVALID_ARGUMENT);
    expect(violatedFields(missing)).toEqual(['project_id', 'user_id']);
  });

  it('lets anyone read a public project', async () => {
    const { projectId } = await create(createRequest(owner, { isPublic: true }));

    expect((await get(projectId, stranger.id)).ownerId).toBe(owner.id);
  });

  it("updates what is set, merges the configuration, and returns the summary with the caller's role", async () => {
    const created = await create(createRequest(owner, { configuration: { nodes: '3', services: '2' } }));

    const updated = await callUnary(
      rpc().updateProject.bind(rpc()),
      update({
        projectId: created.projectId,
        userId: owner.id,
        name: 'Renamed',
        configuration: { nodes: '4' },
        removedConfigurationKeys: ['services'],
        expectedUpdatedAt: created.createdAt,
      }),
    );

    expect(updated.project).toMatchObject({ projectId: created.projectId, name: 'Renamed', role: 'owner', isPublic: false });
    expect((await get(created.projectId, owner.id, true)).configuration).toEqual({ nodes: '4' });
  });

  it('refuses an update that is stale, invalid, by a stranger, or without ids', async () => {
    const { projectId, createdAt } = await create();
    const updateError = (request: ReturnType<typeof update>) => callUnaryError(rpc().updateProject.bind(rpc()), request);

    expect((await updateError(update({ projectId, userId: owner.id, name: 'x', expectedUpdatedAt: createdAt - 1 }))).code).toBe(
      status.ALREADY_EXISTS,
    );
    const badStatus = await updateError(update({ projectId, userId: owner.id, status: 'deleted' }));
    expect(badStatus.code).toBe(status.INVALID_ARGUMENT);
    expect(violatedFields(badStatus)).toEqual(['status']);
    expect((await updateError(update({ projectId, userId: stranger.id, name: 'mine' }))).code).toBe(status.NOT_FOUND);
    expect((await updateError(update({ userId: owner.id, name: 'x' }))).code).toBe(status.INVALID_ARGUMENT);
  });

  it('deletes a project for its owner only, once', async () => {
    const { projectId } = await create(createRequest(owner, { isPublic: true }));
    const remove = (userId: string) => callUnaryError(rpc().deleteProject.bind(rpc()), { projectId, userId });

    expect((await remove(stranger.id)).code).toBe(status.PERMISSION_DENIED);
    const deleted = await callUnary(rpc().deleteProject.bind(rpc()), { projectId, userId: owner.id });
    expect(deleted).toMatchObject({ deleted: true, projectId });
    expect(deleted.deletedAt).toBeGreaterThan(0);
    expect((await remove(owner.id)).code).toBe(status.NOT_FOUND);
    expect((await callUnaryError(rpc().deleteProject.bind(rpc()), { projectId: '', userId: owner.id })).code).toBe(status.INVALID_ARGUMENT);
  });

  it("lists the caller's own projects by default, shared and public ones on request, a page at a time", async () => {
    const lister = await auth.harness.registerUser();
    const mine = await create(createRequest(lister, { name: 'Mine' }));
    const theirs = await create(createRequest(owner, { name: 'Shared with lister' }));
    await project.service.shareProject({ projectId: theirs.projectId, userId: owner.id, target: { userId: lister.id }, role: 'viewer' });
    const listProjects = (request: ReturnType<typeof list>) => callUnary(rpc().listProjects.bind(rpc()), request);

    const own = await listProjects(list(lister.id));
    expect(own.projects.map((summary) => summary.projectId)).toEqual([mine.projectId]);
    expect(own).toMatchObject({ totalCount: 1, nextPageToken: '' });

    const withShared = await listProjects(list(lister.id, { includeShared: true, pageSize: 1 }));
    expect(withShared.projects).toEqual([expect.objectContaining({ projectId: theirs.projectId, role: 'viewer' })]);
    expect(withShared.totalCount).toBe(2);
    const next = await listProjects(list(lister.id, { includeShared: true, pageSize: 1, pageToken: withShared.nextPageToken }));
    expect(next.projects.map((summary) => summary.projectId)).toEqual([mine.projectId]);
  });

  it('refuses a listing with a bad page size, page token or status, or without user id', async () => {
    const listError = (request: ReturnType<typeof list>) => callUnaryError(rpc().listProjects.bind(rpc()), request);

    expect(violatedFields(await listError(list(owner.id, { pageSize: 101 })))).toEqual(['pageSize']);
    expect(failureCode(await listError(list(owner.id, { pageToken: 'zz' })))).toBe('invalid_page_token');
    expect(violatedFields(await listError(list(owner.id, { status: 'gone' })))).toEqual(['status']);
    expect((await listError(list(''))).code).toBe(status.INVALID_ARGUMENT);
  });

  it('answers its own HealthCheck', async () => {
    expect(await callUnary(rpc().healthCheck.bind(rpc()), { callingService: 'test' })).toMatchObject({
      status: 'SERVING',
      service: 'project',
    });
  });
});

describe('project gRPC server when the auth service is down', () => {
  let project: ProjectGrpcServer;
  beforeAll(async () => {
    project = await startProjectGrpc(await deadAddress());
  });
  afterAll(async () => {
    await project?.stop();
  });

  it('answers UNAVAILABLE where a permission check is needed, and still serves reads that need none', async () => {
    const denied = await callUnaryError(project.client.createProject.bind(project.client), createRequest({ id: 'user-1' }));
    expect(denied.code).toBe(status.UNAVAILABLE);

    const templates = await callUnary(project.client.listTemplates.bind(project.client), {
      userId: 'user-1',
      category: '',
      pageSize: 0,
      pageToken: '',
    });
    expect(templates.totalCount).toBeGreaterThan(0);
  });
});
