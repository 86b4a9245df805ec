import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '../../core/auth/model.js';
import { Streams } from '../../core/messaging/channels.js';
import type { ShareProjectRequest } from '../../adapters/grpc/generated/project.js';
import { callUnary, callUnaryError } from '../support/grpc-unary.js';
import { createRequest, failureCode, startProjectGrpc, violatedFields, type ProjectGrpcServer } from './project-grpc-fixture.js';
import { startRealAuth, type RealAuth } from './real-auth-server.js';

/** project.ProjectService over a real loopback socket, with a real auth service: sharing, permissions, collaboration, templates. */
describe('project gRPC server: sharing and collaboration', () => {
  let auth: RealAuth;
  let project: ProjectGrpcServer;
  let owner: Profile;
  let editor: Profile;
  let viewer: Profile;
  let stranger: Profile;
  let projectId: string;

  const rpc = () => project.client;
  const share = (request: Partial<ShareProjectRequest>) => ({ projectId, userId: owner.id, role: 'viewer', ...request });

  beforeAll(async () => {
    auth = await startRealAuth();
    project = await startProjectGrpc(auth.address);
    owner = await auth.harness.registerUser();
    editor = await auth.harness.registerUser();
    viewer = await auth.harness.registerUser();
    stranger = await auth.harness.registerUser();
    ({ projectId } = await callUnary(rpc().createProject.bind(rpc()), createRequest(owner)));
    await callUnary(rpc().shareProject.bind(rpc()), share({ targetUserId: editor.id, role: 'editor' }));
    await callUnary(rpc().shareProject.bind(rpc()), share({ targetUserId: viewer.id, role: 'viewer' }));
  });
  afterAll(async () => {
    await project?.stop();
    await auth?.stop();
  });

  it('shares by email, found by the auth service whatever its case, and notifies the target', async () => {
    const reader = await auth.harness.registerUser();
    const shared = await callUnary(rpc().shareProject.bind(rpc()), share({ targetEmail: reader.email.toUpperCase() }));

    expect(shared).toEqual({ shared: true, projectId, targetUserId: reader.id, role: 'viewer', reason: '' });
    await project.relayed();
    const notifications = await project.streams.range(Streams.notifications(reader.id), '-', '+');
    expect(notifications.map((entry) => entry.fields)).toEqual([
      expect.objectContaining({ type: 'project_shared', project_id: projectId }),
    ]);
  });

  it('shares nothing new when the user already has the role', async () => {
    const again = await callUnary(rpc().shareProject.bind(rpc()), share({ targetUserId: editor.id, role: 'editor' }));

    expect(again).toMatchObject({ shared: false, targetUserId: editor.id, reason: expect.stringContaining('editor') });
  });

  it('refuses a share without target, with an unknown user, with oneself, with a bad role, or by a non-owner', async () => {
    const shareError = (request: ReturnType<typeof share>) => callUnaryError(rpc().shareProject.bind(rpc()), request);

    expect(violatedFields(await shareError(share({})))).toEqual(['target']);
    const unknown = await shareError(share({ targetEmail: 'nobody@example.test' }));
    expect(unknown.code).toBe(status.NOT_FOUND);
    expect(failureCode(unknown)).toBe('user_not_found');
    expect(failureCode(await shareError(share({ targetUserId: owner.id })))).toBe('cannot_share_with_self');
    expect(violatedFields(await shareError(share({ targetUserId: stranger.id, role: 'admin' })))).toEqual(['role']);
    expect((await shareError(share({ userId: editor.id, targetUserId: stranger.id }))).code).toBe(status.PERMISSION_DENIED);
    expect((await shareError(share({ userId: stranger.id, targetUserId: stranger.id }))).code).toBe(status.NOT_FOUND);
    expect((await shareError(share({ projectId: '', targetUserId: stranger.id }))).code).toBe(status.INVALID_ARGUMENT);
  });

  it('lists who has access, with emails from the auth service, for members only', async () => {
    const permissions = await callUnary(rpc().getProjectPermissions.bind(rpc()), { projectId, userId: editor.id, callingService: 't' });

    expect(permissions.ownerId).toBe(owner.id);
    expect(permissions.permissions[0]).toMatchObject({ userId: owner.id, email: owner.email, role: 'owner', grantedBy: '' });
    expect(permissions.permissions[0]?.permissions).toContain('project:delete');
    expect(permissions.permissions[1]).toMatchObject({
      userId: editor.id,
      email: editor.email,
      role: 'editor',
      permissions: ['project:read', 'project:update', 'project:collaborate'],
      grantedBy: owner.id,
    });
    const hidden = await callUnaryError(rpc().getProjectPermissions.bind(rpc()), { projectId, userId: stranger.id, callingService: 't' });
    expect(hidden.code).toBe(status.NOT_FOUND);
  });

  it('lets the owner and editors join the collaboration session and leave it', async () => {
    const joined = await callUnary(rpc().joinCollaboration.bind(rpc()), { projectId, userId: editor.id, clientId: 'c1' });
    expect(joined).toMatchObject({
      joined: true,
      collaborationSessionId: Streams.collaboration(projectId),
      streamKey: Streams.collaboration(projectId),
      role: 'editor',
      activeCollaborators: [editor.id],
      clientId: 'c1',
      clients: [{ clientId: 'c1', userId: editor.id, role: 'editor' }],
      document: { name: expect.any(String), version: expect.any(Number) },
    });
    expect(joined.presenceTtlMs).toBeGreaterThan(0);
    expect(
      (await callUnary(rpc().getProject.bind(rpc()), { projectId, userId: owner.id, includeConfiguration: false })).collaborators,
    ).toEqual([editor.id]);

    const left = await callUnary(rpc().leaveCollaboration.bind(rpc()), {
      projectId,
      userId: editor.id,
      collaborationSessionId: joined.collaborationSessionId,
      clientId: '',
    });
    expect(left).toEqual({ left: true, remainingCollaborators: 0 });
  });

  it('lets viewers in to watch, keeps strangers out of the session, and refuses another session id', async () => {
    const join = (userId: string) => callUnaryError(rpc().joinCollaboration.bind(rpc()), { projectId, userId, clientId: 'c' });

    expect(await callUnary(rpc().joinCollaboration.bind(rpc()), { projectId, userId: viewer.id, clientId: 'cv' })).toMatchObject({
      joined: true,
      role: 'viewer',
    });
    expect((await join(stranger.id)).code).toBe(status.NOT_FOUND);
    const wrongSession = await callUnaryError(rpc().leaveCollaboration.bind(rpc()), {
      projectId,
      userId: owner.id,
      collaborationSessionId: 'collaboration:stream:another-project',
      clientId: '',
    });
    expect(violatedFields(wrongSession)).toEqual(['collaboration_session_id']);
  });

  it('serves the template catalogue, by category and a page at a time', async () => {
    const listTemplates = (overrides: { category?: string; pageSize?: number; pageToken?: string }) =>
      callUnary(rpc().listTemplates.bind(rpc()), { userId: owner.id, category: '', pageSize: 0, pageToken: '', ...overrides });

    const distributed = await listTemplates({ category: 'distributed' });
    expect(distributed.templates.map((template) => template.templateId)).toEqual(['microservices', 'event-driven']);
    const firstPage = await listTemplates({ pageSize: 3 });
    const secondPage = await listTemplates({ pageSize: 3, pageToken: firstPage.nextPageToken });
    expect(firstPage.templates).toHaveLength(3);
    expect(secondPage).toMatchObject({ nextPageToken: '', totalCount: 4 });

    const one = await callUnary(rpc().getTemplate.bind(rpc()), { templateId: 'monolith', userId: owner.id });
    expect(one.template).toMatchObject({ templateId: 'monolith', category: 'monolithic', components: expect.any(Array) });
    expect(one.template?.configuration.nodes).toBe('3');
  });

  it('answers NOT_FOUND for an unknown template and INVALID_ARGUMENT for none or a bad page size', async () => {
    expect((await callUnaryError(rpc().getTemplate.bind(rpc()), { templateId: 'mainframe', userId: owner.id })).code).toBe(
      status.NOT_FOUND,
    );
    expect((await callUnaryError(rpc().getTemplate.bind(rpc()), { templateId: '', userId: owner.id })).code).toBe(status.INVALID_ARGUMENT);
    const badSize = await callUnaryError(rpc().listTemplates.bind(rpc()), { userId: owner.id, category: '', pageSize: -1, pageToken: '' });
    expect(violatedFields(badSize)).toEqual(['pageSize']);
  });

  it('applies an edit, answers a concurrent edit of the same entry with a conflict, and refuses viewers', async () => {
    const { document } = await callUnary(rpc().joinCollaboration.bind(rpc()), { projectId, userId: editor.id, clientId: 'ce' });
    const base = document!.version;
    const edit = (userId: string, clientId: string, value: string) => ({
      projectId,
      userId,
      clientId,
      opId: `op-${clientId}`,
      baseVersion: base,
      patch: [{ op: 'add', path: '/configuration/zones', value }],
    });

    const applied = await callUnary(rpc().editProject.bind(rpc()), edit(editor.id, 'ce', '2'));
    const lost = await callUnary(rpc().editProject.bind(rpc()), edit(owner.id, 'co', '3'));

    expect(applied).toMatchObject({
      outcome: 'applied',
      version: base + 1,
      applied: [{ op: 'add', path: '/configuration/zones', value: '2' }],
    });
    expect(lost).toMatchObject({
      outcome: 'conflict',
      path: '/configuration/zones',
      currentValue: '2',
      changedIn: base + 1,
      changedBy: 'ce',
      document: { version: base + 1, configuration: expect.objectContaining({ zones: '2' }) },
    });
    const viewerEdit = await callUnaryError(rpc().editProject.bind(rpc()), edit(viewer.id, 'cv', '4'));
    expect(viewerEdit.code).toBe(status.PERMISSION_DENIED);
    expect(viewerEdit.details).toMatch(/watch/);
    expect(
      violatedFields(
        await callUnaryError(rpc().editProject.bind(rpc()), {
          ...edit(editor.id, 'ce', '5'),
          patch: [{ op: 'add', path: '/owner_id', value: 'x' }],
        }),
      ),
    ).toEqual(['patch[0].path']);
  });
});
