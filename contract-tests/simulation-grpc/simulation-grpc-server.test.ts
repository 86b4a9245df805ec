import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Streams } from '../../core/messaging/channels.js';
import { meshProtoPaths } from '../../test-support/proto-files.js';
import { assertEveryRpcRegistered } from '../grpc/assert-every-rpc-registered.js';
import { callUnary, callUnaryError } from '../support/grpc-unary.js';
import { failureOf, valueOf } from '../simulation/builders.js';
import { startSimulationGrpcFixture, type SimulationGrpcFixture } from './simulation-grpc-fixture.js';

/**
 * simulation.SimulationService over a real loopback socket, against real auth and project gRPC
 * servers: every rpc per its contract, bad input included. Runs here are long (60 s) and stopped,
 * or not real-time; a full real-time run is in simulation-grpc-run.test.ts.
 */
describe('simulation gRPC server', () => {
  let f: SimulationGrpcFixture;
  let owner: string;
  let projectId: string;

  beforeAll(async () => {
    f = await startSimulationGrpcFixture();
    owner = (await f.aUser()).user.id;
    projectId = (await f.aProjectOf(owner)).id;
  });

  afterAll(async () => {
    await f?.close();
  });

  const startLongRun = async (userId = owner, project = projectId) =>
    valueOf(
      await f.client.startSimulation({ userId, projectId: project, durationSeconds: 60, enableRealTime: true, components: ['api', 'db'] }),
    );

  it('registers every rpc of simulation.proto', async () => {
    const probes = await assertEveryRpcRegistered(
      f.server.address,
      meshProtoPaths().filter((file) => file.endsWith('simulation.proto')),
    );

    expect(probes.map((probe) => probe.path)).toContain('/simulation.SimulationService/StartSimulation');
  });

  describe('StartSimulation', () => {
    it('starts a real-time run for the project owner and answers with its stream and estimate', async () => {
      const started = await startLongRun();

      expect(started).toEqual({
        simulationId: expect.any(String),
        status: 'running',
        startedAt: expect.any(Number),
        websocketChannel: Streams.simulation(started.simulationId),
        estimatedDuration: 60,
      });
      expect((await f.repository.findById(started.simulationId))?.components).toEqual(['api', 'db']);
    });

    it('starts a run that is not real-time without a channel, and defaults the duration when 0', async () => {
      const started = valueOf(await f.client.startSimulation({ userId: owner, projectId, enableRealTime: false }));

      expect(started.websocketChannel).toBe('');
      expect((await f.repository.findById(started.simulationId))?.durationSeconds).toBe(60);
    });

    it('refuses missing ids with INVALID_ARGUMENT naming them', async () => {
      const error = await callUnaryError(f.raw.startSimulation.bind(f.raw), {
        userId: '',
        projectId: projectId,
        configuration: {},
        components: [],
        durationSeconds: 0,
        enableRealTime: true,
      });
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(failureOf(await f.client.startSimulation({ userId: owner, projectId: '' })).violations).toEqual([
        { field: 'project_id', message: 'is required' },
      ]);
    });

    it('refuses an invalid configuration with INVALID_ARGUMENT and every invalid field', async () => {
      const refused = failureOf(
        await f.client.startSimulation({
          userId: owner,
          projectId,
          configuration: { nodes: '0', bogus: '1' },
          durationSeconds: 4000,
          enableRealTime: true,
        }),
      );

      expect(refused).toMatchObject({ kind: 'invalid', code: 'invalid_request' });
      expect(refused.violations?.map((v) => v.field)).toEqual(['duration_seconds']);
      const config = failureOf(
        await f.client.startSimulation({ userId: owner, projectId, configuration: { nodes: '0', bogus: '1' }, enableRealTime: true }),
      );
      expect(config.violations?.map((v) => v.field)).toEqual(['configuration.bogus', 'configuration.nodes']);
    });

    it('answers NOT_FOUND for an unknown project and for a private project of someone else', async () => {
      const stranger = (await f.aUser()).user.id;

      expect(
        failureOf(await f.client.startSimulation({ userId: owner, projectId: 'project-missing', enableRealTime: true })),
      ).toMatchObject({
        kind: 'not_found',
        code: 'project_not_found',
      });
      expect(failureOf(await f.client.startSimulation({ userId: stranger, projectId, enableRealTime: true }))).toMatchObject({
        kind: 'not_found',
      });
    });

    it('answers PERMISSION_DENIED to a user whose roles lack simulation:start, even on their own project', async () => {
      const roleless = await f.aUserWithoutRoles();
      const own = await f.aProjectOf(roleless);

      const error = await callUnaryError(f.raw.startSimulation.bind(f.raw), {
        userId: roleless,
        projectId: own.id,
        configuration: {},
        components: [],
        durationSeconds: 1,
        enableRealTime: false,
      });

      expect(error.code).toBe(status.PERMISSION_DENIED);
      expect(error.details).toMatch(/simulation:start denied/);
    });

    it('lets an editor of a shared project start a run and refuses a viewer: the project service tells the role (docs/adr/0036)', async () => {
      const viewer = (await f.aUser()).user.id;
      const editor = (await f.aUser()).user.id;
      const shared = await f.aProjectOf(owner, {
        shares: [
          { userId: viewer, role: 'viewer', sharedAt: 0 },
          { userId: editor, role: 'editor', sharedAt: 0 },
        ],
      });

      expect(valueOf(await f.client.startSimulation({ userId: editor, projectId: shared.id, durationSeconds: 1 })).status).toBe('running');
      expect(failureOf(await f.client.startSimulation({ userId: viewer, projectId: shared.id, durationSeconds: 1 }))).toMatchObject({
        kind: 'forbidden',
        code: 'simulation_start_forbidden',
      });
    });
  });

  describe('StopSimulation', () => {
    it('stops a run for its starter, keeping its partial results, and says so once', async () => {
      const { simulationId } = await startLongRun();

      const stopped = valueOf(await f.client.stopSimulation({ simulationId, userId: owner, reason: 'enough' }));
      expect(stopped).toEqual({ stopped: true, simulationId, status: 'stopped', stoppedAt: expect.any(Number), reason: '' });
      expect((await f.repository.findById(simulationId))?.stopReason).toBe('enough');
      expect(await f.repository.findResults(simulationId)).toBeDefined();

      expect(valueOf(await f.client.stopSimulation({ simulationId, userId: owner }))).toMatchObject({
        stopped: false,
        status: 'stopped',
        reason: 'already stopped',
      });
    });

    it("refuses someone else's run, an unknown run and missing ids", async () => {
      const { simulationId } = await startLongRun();
      const stranger = (await f.aUser()).user.id;

      expect(failureOf(await f.client.stopSimulation({ simulationId, userId: stranger }))).toMatchObject({ kind: 'forbidden' });
      expect(failureOf(await f.client.stopSimulation({ simulationId: 'sim-missing', userId: owner }))).toMatchObject({ kind: 'not_found' });
      expect(failureOf(await f.client.stopSimulation({})).violations?.map((v) => v.field)).toEqual(['simulation_id', 'user_id']);
      expect(valueOf(await f.client.stopSimulation({ simulationId, userId: owner })).stopped).toBe(true);
    });
  });

  describe('reading a simulation', () => {
    it('GetSimulationStatus answers progress, components and current metrics of a running simulation', async () => {
      const { simulationId, startedAt } = await startLongRun();

      const view = await callUnary(f.raw.getSimulationStatus.bind(f.raw), { simulationId, userId: owner });

      expect(view).toMatchObject({
        simulationId,
        status: 'running',
        startedAt,
        estimatedCompletion: startedAt + 60_000,
        activeComponents: ['api', 'db'],
      });
      expect(view.progressPercentage).toBeGreaterThanOrEqual(0);
      await f.client.stopSimulation({ simulationId, userId: owner });
    });

    it("GetSimulationStatus refuses someone else's simulation, an unknown one and missing ids", async () => {
      const { simulationId } = await startLongRun();
      const stranger = (await f.aUser()).user.id;

      expect((await callUnaryError(f.raw.getSimulationStatus.bind(f.raw), { simulationId, userId: stranger })).code).toBe(
        status.PERMISSION_DENIED,
      );
      expect((await callUnaryError(f.raw.getSimulationStatus.bind(f.raw), { simulationId: 'sim-missing', userId: owner })).code).toBe(
        status.NOT_FOUND,
      );
      expect((await callUnaryError(f.raw.getSimulationStatus.bind(f.raw), { simulationId: '', userId: '' })).code).toBe(
        status.INVALID_ARGUMENT,
      );
      await f.client.stopSimulation({ simulationId, userId: owner });
    });

    it('GetLiveMetrics answers the latest sample, the samples after `since`, and the stream key', async () => {
      const { simulationId } = valueOf(
        await f.client.startSimulation({ userId: owner, projectId, durationSeconds: 5, enableRealTime: false }),
      );
      await waitUntilFinished(f, simulationId, owner);

      const all = valueOf(await f.client.getLiveMetrics({ simulationId, userId: owner, maxSamples: 1_000 }));
      expect(all.samples).toHaveLength(50);
      expect(all.latest?.simulationStep).toBe(50);
      expect(all.streamKey).toBe(Streams.simulation(simulationId));

      const since = all.samples[44]!.timestamp;
      const after = valueOf(await f.client.getLiveMetrics({ simulationId, userId: owner, since, maxSamples: 100 }));
      expect(after.samples.map((s) => s.simulationStep)).toEqual([46, 47, 48, 49, 50]);
      expect(valueOf(await f.client.getLiveMetrics({ simulationId, userId: owner })).samples).toEqual([]);
    });

    it("GetSimulationResults and GetPerformanceAnalysis refuse unknown simulations, others' and missing ids", async () => {
      const { simulationId } = await startLongRun();
      const stranger = (await f.aUser()).user.id;

      expect(failureOf(await f.client.getSimulationResults({ simulationId, userId: stranger })).kind).toBe('forbidden');
      expect(failureOf(await f.client.getSimulationResults({ simulationId: 'sim-missing', userId: owner })).kind).toBe('not_found');
      expect(failureOf(await f.client.getPerformanceAnalysis({ simulationId, userId: stranger })).kind).toBe('forbidden');
      expect(failureOf(await f.client.getPerformanceAnalysis({ simulationId: 'sim-missing', userId: owner })).kind).toBe('not_found');
      expect(failureOf(await f.client.getPerformanceAnalysis({ userId: owner })).violations).toEqual([
        { field: 'simulation_id', message: 'is required' },
      ]);
      await f.client.stopSimulation({ simulationId, userId: owner });
    });

    it('GetSimulationResults leaves samples out unless asked, and caps them at max_samples', async () => {
      const { simulationId } = valueOf(
        await f.client.startSimulation({ userId: owner, projectId, durationSeconds: 3, enableRealTime: false }),
      );
      await waitUntilFinished(f, simulationId, owner);

      const bare = valueOf(await f.client.getSimulationResults({ simulationId, userId: owner }));
      expect(bare).toMatchObject({ simulationId, projectId, status: 'completed', durationSeconds: 3, samples: [] });
      expect(bare.finalMetrics?.simulationStep).toBe(30);
      expect(bare.summary.samples).toBe(30);

      const capped = valueOf(await f.client.getSimulationResults({ simulationId, userId: owner, includeSamples: true, maxSamples: 5 }));
      expect(capped.samples.map((s) => s.simulationStep)).toEqual([26, 27, 28, 29, 30]);
    });
  });

  describe('ValidateConfiguration', () => {
    it("answers valid with the estimate for a good configuration over the project's", async () => {
      const answer = valueOf(
        await f.client.validateConfiguration({ userId: owner, projectId, configuration: { services: '3' }, durationSeconds: 120 }),
      );

      expect(answer).toMatchObject({ valid: true, errors: [], estimatedDuration: 120, reason: '' });
    });

    it('answers valid=false with every invalid field as an answer, not an error', async () => {
      const answer = valueOf(
        await f.client.validateConfiguration({
          userId: owner,
          configuration: { nodes: 'many', autoscaling: 'maybe' },
          durationSeconds: -1,
        }),
      );

      expect(answer.valid).toBe(false);
      expect(answer.errors.map((e) => e.field)).toEqual(['configuration.nodes', 'configuration.autoscaling', 'duration_seconds']);
      expect(answer.reason).toBe('Invalid fields: configuration.nodes, configuration.autoscaling, duration_seconds');
    });

    it('refuses a project the user cannot read and a missing user id', async () => {
      const stranger = (await f.aUser()).user.id;

      expect(failureOf(await f.client.validateConfiguration({ userId: stranger, projectId, configuration: {} })).kind).toBe('not_found');
      expect(failureOf(await f.client.validateConfiguration({ configuration: {} })).kind).toBe('invalid');
    });
  });

  describe('GetSimulationHistory', () => {
    it("pages through a project's simulations newest first, with a total and a filter on status", async () => {
      const user = (await f.aUser()).user.id;
      const project = await f.aProjectOf(user);
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1)
        ids.push(
          valueOf(await f.client.startSimulation({ userId: user, projectId: project.id, durationSeconds: 60, enableRealTime: true }))
            .simulationId,
        );
      valueOf(await f.client.stopSimulation({ simulationId: ids[0]!, userId: user }));

      const first = valueOf(await f.client.getSimulationHistory({ userId: user, projectId: project.id, pageSize: 2 }));
      const second = valueOf(
        await f.client.getSimulationHistory({ userId: user, projectId: project.id, pageSize: 2, pageToken: first.nextPageToken }),
      );
      const listed = [...first.simulations, ...second.simulations].map((s) => s.simulationId);

      expect(first.totalCount).toBe(3);
      expect(first.nextPageToken).not.toBe('');
      expect(second.nextPageToken).toBe('');
      expect([...listed].sort()).toEqual([...ids].sort());
      expect(first.simulations[0]).toMatchObject({ projectId: project.id, userId: user, durationSeconds: 60 });
      const stopped = valueOf(await f.client.getSimulationHistory({ userId: user, projectId: project.id, status: 'stopped' }));
      expect(stopped.simulations.map((s) => s.simulationId)).toEqual([ids[0]]);
      expect(stopped.simulations[0]!.completedAt).toBeGreaterThan(0);
      await Promise.all(ids.slice(1).map((simulationId) => f.client.stopSimulation({ simulationId, userId: user })));
    });

    it('lists the simulations a user started when no project is given', async () => {
      const user = (await f.aUser()).user.id;
      const project = await f.aProjectOf(user);
      const { simulationId } = valueOf(await f.client.startSimulation({ userId: user, projectId: project.id, durationSeconds: 1 }));

      expect(valueOf(await f.client.getSimulationHistory({ userId: user })).simulations.map((s) => s.simulationId)).toEqual([simulationId]);
    });

    it('refuses an unknown status, a made-up page token, a project the user cannot read and a missing user id', async () => {
      const stranger = (await f.aUser()).user.id;

      expect(failureOf(await f.client.getSimulationHistory({ userId: owner, status: 'paused' })).violations?.[0]?.field).toBe('status');
      expect(failureOf(await f.client.getSimulationHistory({ userId: owner, pageToken: 'zz!.id' })).code).toBe('invalid_page_token');
      expect(failureOf(await f.client.getSimulationHistory({ userId: stranger, projectId })).kind).toBe('not_found');
      expect(
        (
          await callUnaryError(f.raw.getSimulationHistory.bind(f.raw), {
            userId: '',
            projectId: '',
            status: '',
            pageSize: 0,
            pageToken: '',
          })
        ).code,
      ).toBe(status.INVALID_ARGUMENT);
    });
  });

  it('HealthCheck answers SERVING with the runs in progress', async () => {
    const health = valueOf(await f.client.healthCheck({ callingService: 'contract-test' }));

    expect(health).toMatchObject({ status: 'SERVING', service: 'simulation', details: { active_runs: String(f.service.activeRuns()) } });
  });
});

/** Polls the status until the simulation is no longer running. */
const waitUntilFinished = async (f: SimulationGrpcFixture, simulationId: string, userId: string): Promise<void> => {
  const deadline = Date.now() + 15_000;
  while (valueOf(await f.client.getSimulationStatus({ simulationId, userId })).status === 'running') {
    if (Date.now() > deadline) throw new Error(`simulation ${simulationId} still running after 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
