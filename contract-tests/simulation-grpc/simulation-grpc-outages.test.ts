import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { callUnaryError } from '../support/grpc-unary.js';
import { valueOf } from '../simulation/builders.js';
import { startSimulationGrpcFixture, type SimulationGrpcFixture } from './simulation-grpc-fixture.js';

/** What the simulation gRPC server answers when a service it depends on cannot be reached. */
describe('simulation gRPC server with a dependency down', () => {
  let f: SimulationGrpcFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  const startRequest = (userId: string, projectId: string) => ({
    userId,
    projectId,
    configuration: {},
    components: [],
    durationSeconds: 1,
    enableRealTime: false,
  });

  it('answers UNAVAILABLE, never NOT_FOUND, when the project service cannot be reached', async () => {
    f = await startSimulationGrpcFixture({ unreachable: 'project' });
    const owner = (await f.aUser()).user.id;
    const project = await f.aProjectOf(owner);

    const error = await callUnaryError(f.raw.startSimulation.bind(f.raw), startRequest(owner, project.id));

    expect(error.code).toBe(status.UNAVAILABLE);
    expect(await f.repository.listByProject(project.id, { limit: 10 })).toMatchObject({ total: 0 });
  });

  it('answers UNAVAILABLE, never PERMISSION_DENIED, when the auth service cannot be reached', async () => {
    f = await startSimulationGrpcFixture({ unreachable: 'auth' });
    const owner = (await f.aUser()).user.id;
    const project = await f.aProjectOf(owner);

    const error = await callUnaryError(f.raw.startSimulation.bind(f.raw), startRequest(owner, project.id));

    expect(error.code).toBe(status.UNAVAILABLE);
    const refusedToken = await f.tokenCheck('any-token').catch((failure: unknown) => failure);
    expect(refusedToken).toMatchObject({ failure: { kind: 'unavailable' } });
    expect(valueOf(await f.client.healthCheck()).status).toBe('SERVING');
  });
});
