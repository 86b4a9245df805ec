import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventChannels, Streams } from '../../core/messaging/channels.js';
import { seedFromText } from '../../core/simulation/model/prng.js';
import type { ProjectView } from '../../core/simulation/ports.js';
import { failureOf, valueOf } from './builders.js';
import type { SimulationHarness, SimulationHarnessFactory } from './simulation-harness.js';

/** startSimulation: what it stores and announces, and every way it refuses. */
export const describeStartUseCase = (harness: SimulationHarnessFactory): void => {
  describe('startSimulation', () => {
    let h: SimulationHarness;
    let owner: string;
    let project: ProjectView;
    beforeEach(async () => {
      h = await harness();
      owner = h.aUser();
      project = h.aProjectOf(owner, { nodes: '4', services: '3', node_failure_rate: '0', region: 'eu-west' });
    });
    afterEach(async () => {
      await h.close();
    });

    it('starts a real-time run and answers at once with its stream and estimated duration', async () => {
      const started = await h.start(owner, project, { durationSeconds: 30 });

      expect(started).toEqual({
        simulationId: expect.any(String),
        status: 'running',
        startedAt: h.clock.now(),
        websocketChannel: Streams.simulation(started.simulationId),
        estimatedDurationSeconds: 30,
      });
      expect(h.scheduler.active).toBe(1);
    });

    it('stores the run with the project configuration under the request overrides, and a seed from its id', async () => {
      const started = await h.start(owner, project, {
        configuration: { services: '6', load_profile: 'spike' },
        components: ['api', 'db'],
        durationSeconds: 30,
      });

      const stored = await h.fixture.repo.findById(started.simulationId);

      expect(stored).toMatchObject({
        projectId: project.id,
        userId: owner,
        status: 'running',
        components: ['api', 'db'],
        durationSeconds: 30,
        realTime: true,
        updatesPerSecond: 10,
        totalSteps: 300,
        stepsCompleted: 0,
        startedAt: h.clock.now(),
        version: 1,
      });
      expect(stored?.config).toMatchObject({
        nodes: 4,
        services: 6,
        loadProfile: 'spike',
        nodeFailureRate: 0,
        seed: seedFromText(started.simulationId),
      });
    });

    it('keeps a seed given in the configuration', async () => {
      const started = await h.start(owner, project, { configuration: { seed: '1234' } });

      expect((await h.fixture.repo.findById(started.simulationId))?.config.seed).toBe(1234);
    });

    it('announces the start on simulation:events:started', async () => {
      const started = await h.start(owner, project);

      expect(await h.events.on(EventChannels.simulationStarted)).toEqual([
        {
          type: 'started',
          event_id: expect.any(String),
          simulation_id: started.simulationId,
          project_id: project.id,
          user_id: owner,
          timestamp: started.startedAt,
        },
      ]);
    });

    it('lets an editor of the project start a run when granted simulation:start', async () => {
      const colleague = h.aUser();
      h.projects.share(project.id, colleague, 'editor');
      h.grants.grant(colleague, 'simulation:start');

      expect((await h.start(colleague, project)).status).toBe('running');
    });

    it('streams nothing and offers no channel when real time is off', async () => {
      const started = valueOf(
        await h.service.startSimulation({ userId: owner, projectId: project.id, durationSeconds: 60, enableRealTime: false }),
      );

      expect(started.websocketChannel).toBeUndefined();
      expect(started.estimatedDurationSeconds).toBe(1);
    });

    describe('refuses', () => {
      const expectNothingStarted = async () => {
        expect(h.scheduler.active).toBe(0);
        expect((await h.fixture.repo.listByProject(project.id, { limit: 10 })).total).toBe(0);
        expect(await h.events.on(EventChannels.simulationStarted)).toEqual([]);
      };

      it('a user who may read the project but lacks the simulation:start permission', async () => {
        const colleague = h.aUser();
        h.projects.share(project.id, colleague);

        const refused = failureOf(await h.service.startSimulation({ userId: colleague, projectId: project.id, enableRealTime: true }));

        expect(refused).toMatchObject({
          kind: 'forbidden',
          code: 'permission_denied',
          message: 'simulation:start denied: no simulation:start grant',
        });
        await expectNothingStarted();
      });

      it("a project the user may not read, even with simulation:start, with the project directory's answer", async () => {
        const stranger = h.aUser();
        h.grants.grant(stranger, 'simulation:start');

        expect(failureOf(await h.service.startSimulation({ userId: stranger, projectId: project.id, enableRealTime: true }))).toMatchObject(
          {
            kind: 'forbidden',
            code: 'project_forbidden',
          },
        );
        await expectNothingStarted();
      });

      it('a user holding simulation:start only as a grant on this project: it is checked as a role permission', async () => {
        const colleague = h.aUser();
        h.projects.share(project.id, colleague);
        h.grants.grant(colleague, 'simulation:start', project.id);

        const refused = failureOf(await h.service.startSimulation({ userId: colleague, projectId: project.id, enableRealTime: true }));

        expect(refused).toMatchObject({ kind: 'forbidden', code: 'permission_denied' });
        await expectNothingStarted();
      });

      it('a viewer and a reader of a public project, who watch but do not start, even with simulation:start', async () => {
        const viewer = h.aUser();
        const reader = h.aUser();
        h.projects.share(project.id, viewer, 'viewer');
        h.projects.publish(project.id);
        for (const user of [viewer, reader]) h.grants.grant(user, 'simulation:start');

        const asViewer = failureOf(await h.service.startSimulation({ userId: viewer, projectId: project.id, enableRealTime: true }));
        const asReader = failureOf(await h.service.startSimulation({ userId: reader, projectId: project.id, enableRealTime: true }));

        expect(asViewer).toMatchObject({
          kind: 'forbidden',
          code: 'simulation_start_forbidden',
          message: expect.stringMatching(/\(your access: viewer\)/),
        });
        expect(asReader).toMatchObject({
          kind: 'forbidden',
          code: 'simulation_start_forbidden',
          message: expect.stringMatching(/\(your access: public\)/),
        });
        await expectNothingStarted();
      });

      it('an unknown project', async () => {
        expect(
          failureOf(await h.service.startSimulation({ userId: owner, projectId: 'project-missing', enableRealTime: true })),
        ).toMatchObject({
          kind: 'not_found',
          code: 'project_not_found',
        });
      });

      it('an invalid configuration, naming every invalid field', async () => {
        const refused = failureOf(
          await h.service.startSimulation({
            userId: owner,
            projectId: project.id,
            configuration: { nodes: '0', bogus: '1', autoscaling: 'maybe' },
            enableRealTime: true,
          }),
        );

        expect(refused).toMatchObject({ kind: 'invalid', code: 'invalid_request' });
        expect(refused.violations?.map((v) => v.field)).toEqual([
          'configuration.bogus',
          'configuration.nodes',
          'configuration.autoscaling',
        ]);
        await expectNothingStarted();
      });

      it('an invalid value in the project configuration itself', async () => {
        const broken = h.aProjectOf(owner, { nodes: 'many' });

        expect(
          failureOf(await h.service.startSimulation({ userId: owner, projectId: broken.id, enableRealTime: true })).violations,
        ).toEqual([{ field: 'configuration.nodes', message: 'must be an integer from 1 to 500' }]);
      });

      it('a duration outside 1..3600 seconds, blank components and a missing project id', async () => {
        const refused = failureOf(
          await h.service.startSimulation({ userId: owner, projectId: ' ', durationSeconds: 3601, components: [''], enableRealTime: true }),
        );

        expect(refused.violations?.map((v) => v.field)).toEqual(['project_id', 'duration_seconds', 'components[0]']);
      });

      it('with the fault of a project directory that cannot answer (docs/adr/0027)', async () => {
        h.projects.down = true;

        const starting = h.service.startSimulation({ userId: owner, projectId: project.id, enableRealTime: true });
        await expect(starting).rejects.toMatchObject({ dependency: 'project', failure: { kind: 'unavailable' } });
        h.projects.down = false;
        await expectNothingStarted();
      });

      it('with the fault of an authorization service that cannot answer', async () => {
        h.grants.down = true;

        const starting = h.service.startSimulation({ userId: owner, projectId: project.id, enableRealTime: true });
        await expect(starting).rejects.toMatchObject({ dependency: 'auth', failure: { kind: 'unavailable' } });
        await expectNothingStarted();
      });
    });

    describe('within the running limits', () => {
      let limited: SimulationHarness;
      beforeEach(async () => {
        limited = await harness({ running: { perUser: 2, perProject: 3, graceMs: 0 } });
      });
      afterEach(async () => {
        await limited.close();
      });

      const startAs = (userId: string, on: ProjectView) =>
        limited.service.startSimulation({ userId, projectId: on.id, durationSeconds: 30, enableRealTime: true });

      it('refuses a user a third concurrent run, with the time until the earliest should end, and starts again once one stops', async () => {
        const ada = limited.aUser();
        const mine = limited.aProjectOf(ada);
        const first = valueOf(await startAs(ada, mine));
        limited.clock.advance(10_000);
        valueOf(await startAs(ada, limited.aProjectOf(ada)));

        const refused = failureOf(await startAs(ada, limited.aProjectOf(ada)));

        expect(refused).toMatchObject({ kind: 'rate_limited', code: 'simulation_quota_exceeded', retryAfterMs: 20_000 });
        expect(limited.scheduler.active).toBe(2);
        valueOf(await limited.service.stopSimulation({ simulationId: first.simulationId, userId: ada }));
        expect(valueOf(await startAs(ada, mine)).status).toBe('running');
      });

      it('refuses a fourth concurrent run on one project whoever starts it, and lets the runs finish to free the slots', async () => {
        const owner = limited.aUser();
        const shared = limited.aProjectOf(owner);
        const editors = [limited.aUser(), limited.aUser()];
        for (const editor of editors) {
          limited.projects.share(shared.id, editor, 'editor');
          limited.grants.grant(editor, 'simulation:start');
        }
        valueOf(await startAs(owner, shared));
        valueOf(await startAs(editors[0]!, shared));
        valueOf(await startAs(editors[1]!, shared));

        expect(failureOf(await startAs(owner, shared))).toMatchObject({ kind: 'rate_limited', code: 'simulation_quota_exceeded' });
        expect(failureOf(await startAs(editors[0]!, shared)).message).toMatch(/This project already has 3 simulations running/);
        expect(valueOf(await startAs(owner, limited.aProjectOf(owner))).status).toBe('running');

        await limited.scheduler.runUntilIdle(60_000);
        expect(valueOf(await startAs(editors[1]!, shared)).status).toBe('running');
      });

      it('starts no more than the limit from a burst of concurrent requests', async () => {
        const ada = limited.aUser();
        const mine = limited.aProjectOf(ada);

        const answers = await Promise.all(Array.from({ length: 10 }, () => startAs(ada, mine)));

        expect(answers.filter((answer) => answer.ok)).toHaveLength(2);
        expect(limited.scheduler.active).toBe(2);
        expect((await limited.fixture.repo.listByUser(ada, { limit: 20 })).total).toBe(2);
      });
    });
  });
};
