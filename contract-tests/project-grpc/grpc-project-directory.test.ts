import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '../../core/auth/model.js';
import { ProjectServiceClient } from '../../adapters/grpc/generated/project.js';
import { singleInstance } from '../../adapters/grpc/mesh/single-instance.js';
import type { ServiceCalls } from '../../adapters/grpc/mesh/mesh-client.js';
import { GrpcProjectDirectory } from '../../adapters/grpc/project/grpc-project-directory.js';
import { createRequest, startProjectGrpc, type ProjectGrpcServer } from './project-grpc-fixture.js';
import { deadAddress, startRealAuth, type RealAuth } from './real-auth-server.js';
import { callUnary } from '../support/grpc-unary.js';

/** The simulation domain's ProjectDirectory over a real project gRPC server (with a real auth service). */
describe('GrpcProjectDirectory', () => {
  let auth: RealAuth;
  let project: ProjectGrpcServer;
  let channel: ServiceCalls<ProjectServiceClient>;
  let directory: GrpcProjectDirectory;
  let owner: Profile;

  beforeAll(async () => {
    auth = await startRealAuth();
    project = await startProjectGrpc(auth.address);
    channel = singleInstance(ProjectServiceClient, project.server.address);
    directory = new GrpcProjectDirectory(channel, { timeoutMs: 10_000 });
    owner = await auth.harness.registerUser();
  });
  afterAll(async () => {
    channel?.close();
    await project?.stop();
    await auth?.stop();
  });

  it('gives a readable project with its owner and configuration', async () => {
    const { projectId } = await callUnary(
      project.client.createProject.bind(project.client),
      createRequest(owner, { templateId: 'microservices', configuration: { nodes: '8' } }),
    );

    const found = await directory.getProject(projectId, owner.id);

    expect(found).toMatchObject({ ok: true, value: { id: projectId, ownerId: owner.id, configuration: { nodes: '8', services: '12' } } });
  });

  it('answers not_found for an unknown project and for one the user may not read', async () => {
    const stranger = await auth.harness.registerUser();
    const { projectId } = await callUnary(project.client.createProject.bind(project.client), createRequest(owner));

    expect(await directory.getProject('no-such-project', owner.id)).toMatchObject({ ok: false, error: { kind: 'not_found' } });
    expect(await directory.getProject(projectId, stranger.id)).toMatchObject({ ok: false, error: { kind: 'not_found' } });
  });

  it('throws DependencyUnavailableError when the project service is down (docs/adr/0027)', async () => {
    const down = singleInstance(ProjectServiceClient, await deadAddress());
    try {
      const answer = new GrpcProjectDirectory(down, { timeoutMs: 5_000 }).getProject('p', owner.id);
      await expect(answer).rejects.toMatchObject({ dependency: 'project', failure: { kind: 'unavailable' } });
    } finally {
      down.close();
    }
  });
});
