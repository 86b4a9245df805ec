import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventChannels, Streams } from '../../core/messaging/channels.js';
import { createClusterModel } from '../../core/simulation/model/cluster-model.js';
import type { ProjectView } from '../../core/simulation/ports.js';
import { downsample } from '../../core/simulation/series.js';
import type { Simulation } from '../../core/simulation/simulation.js';
import { summarizeSeries } from '../../core/simulation/summary.js';
import { DEFAULT_SIMULATION_SETTINGS } from '../../core/simulation/settings.js';
import { aSimulation, failureOf, valueOf } from './builders.js';
import type { SimulationHarness, SimulationHarnessFactory } from './simulation-harness.js';

/** The series the model gives for a stored simulation, stamped as the run stamps it. */
const expectedSeries = (simulation: Simulation, steps: number) => {
  const model = createClusterModel(simulation.config, { totalSteps: simulation.totalSteps, seed: simulation.config.seed! });
  const stepMs = 1000 / simulation.updatesPerSecond;
  return Array.from({ length: steps }, (_, i) => model.step(simulation.startedAt + (i + 1) * stepMs));
};

/** A run from start to finish: streaming, completion, batch runs, stopping. */
export const describeRunUseCases = (harness: SimulationHarnessFactory): void => {
  describe('a running simulation', () => {
    let h: SimulationHarness;
    let owner: string;
    let project: ProjectView;
    beforeEach(async () => {
      h = await harness();
      owner = h.aUser();
      project = h.aProjectOf(owner);
    });
    afterEach(async () => {
      await h.close();
    });

    const stored = async (id: string) => (await h.fixture.repo.findById(id))!;

    it('appends one model step per update to its stream, exactly the model series for its seed', async () => {
      const { simulationId } = await h.start(owner, project, { durationSeconds: 5 });

      await h.scheduler.advance(1_000);

      const streamed = await h.streamed(simulationId);
      expect(streamed.map((s) => s.simulation_step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(streamed).toEqual(expectedSeries(await stored(simulationId), 10));
    });

    it('runs at the configured update rate, one step per update', async () => {
      const fast = await harness({ updatesPerSecond: 30 });
      const fastOwner = fast.aUser();
      try {
        const { simulationId, startedAt } = await fast.start(fastOwner, fast.aProjectOf(fastOwner), { durationSeconds: 1 });

        await fast.scheduler.advance(1_000);

        const streamed = await fast.streamed(simulationId);
        expect(streamed).toHaveLength(30);
        expect(streamed.slice(0, 3).map((s) => s.timestamp - startedAt)).toEqual([33, 67, 100]);
        expect((await fast.fixture.repo.findById(simulationId))?.status).toBe('completed');
      } finally {
        await fast.close();
      }
    });

    it('catches up a late timer with one batch of the steps due', async () => {
      const { simulationId } = await h.start(owner, project, { durationSeconds: 5 });

      h.clock.advance(700);
      await h.scheduler.advance(0);

      const entries = await h.streams.range(Streams.simulation(simulationId), '-', '+');
      expect(entries.map((e) => e.fields.simulation_step)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
      expect(new Set(entries.map((e) => e.id.split('-')[0])).size).toBe(1);
    });

    it('completes after its duration: results stored, status completed, announced with a summary, stream closed', async () => {
      const { simulationId, startedAt } = await h.start(owner, project, { durationSeconds: 2 });

      await h.scheduler.advance(2_000);

      const simulation = await stored(simulationId);
      const results = await h.fixture.repo.findResults(simulationId);
      expect(simulation).toMatchObject({ status: 'completed', stepsCompleted: 20, completedAt: startedAt + 2_000 });
      expect(simulation.finalSample?.simulation_step).toBe(20);
      expect(results?.samples).toEqual(expectedSeries(simulation, 20));
      expect(results?.summary).toEqual(summarizeSeries(results!.samples));
      expect(await h.events.on(EventChannels.simulationCompleted)).toEqual([
        {
          event_id: expect.any(String),
          type: 'completed',
          simulation_id: simulationId,
          project_id: project.id,
          user_id: owner,
          status: 'completed',
          timestamp: startedAt + 2_000,
          summary: results?.summary,
        },
      ]);
      expect(h.scheduler.active).toBe(1); // the run's timer is gone; its stream's removal is due
      expect(h.service.activeRuns()).toBe(0);
      await h.scheduler.advance(1_000);
      expect(await h.streamed(simulationId)).toHaveLength(20);
    });

    it("removes a finished run's stream after the grace, and then holds no timer", async () => {
      const { simulationId } = await h.start(owner, project, { durationSeconds: 2 });
      await h.scheduler.advance(2_000);
      await h.scheduler.advance(DEFAULT_SIMULATION_SETTINGS.finishedStreamGraceMs - 1_000);
      expect(await h.streamed(simulationId)).toHaveLength(20);

      await h.scheduler.advance(5_000);

      expect(await h.streamed(simulationId)).toEqual([]);
      expect(h.scheduler.active).toBe(0);
    });

    it('runs a batch simulation to the end without streaming it', async () => {
      const { simulationId } = valueOf(
        await h.service.startSimulation({ userId: owner, projectId: project.id, durationSeconds: 30, enableRealTime: false }),
      );

      await h.scheduler.runUntilIdle(1_000, 10);

      const simulation = await stored(simulationId);
      expect(simulation.status).toBe('completed');
      expect((await h.fixture.repo.findResults(simulationId))?.samples).toEqual(expectedSeries(simulation, 300));
      expect(await h.streamed(simulationId)).toEqual([]);
    });

    it('stores at most 10,000 samples of a long run, averaged in buckets', async () => {
      const { simulationId } = valueOf(
        await h.service.startSimulation({ userId: owner, projectId: project.id, durationSeconds: 1_500, enableRealTime: false }),
      );

      await h.scheduler.runUntilIdle(10_000, 10);

      const simulation = await stored(simulationId);
      const samples = (await h.fixture.repo.findResults(simulationId))!.samples;
      expect(samples).toHaveLength(7_500);
      expect(samples).toEqual(downsample(expectedSeries(simulation, 15_000)));
    });

    it('keeps running when its stream refuses appends, and reports the fault', async () => {
      const { simulationId } = await h.start(owner, project, { durationSeconds: 1 });
      await h.streams.close();

      await h.scheduler.advance(1_000);

      expect((await stored(simulationId)).status).toBe('completed');
      expect((await h.fixture.repo.findResults(simulationId))?.samples).toHaveLength(10);
      expect(h.faults.map((f) => f.context)).toContain(`simulation ${simulationId}: append to ${Streams.simulation(simulationId)}`);
    });

    describe('stopSimulation', () => {
      it('lets the starter stop it, keeping the partial results and announcing the end', async () => {
        const { simulationId } = await h.start(owner, project, { durationSeconds: 10 });
        await h.scheduler.advance(500);

        const outcome = valueOf(await h.service.stopSimulation({ simulationId, userId: owner, reason: 'seen enough' }));

        expect(outcome).toMatchObject({
          stopped: true,
          simulation: { status: 'stopped', stoppedBy: owner, stopReason: 'seen enough', stepsCompleted: 5 },
        });
        expect(await stored(simulationId)).toEqual(outcome.simulation);
        expect((await h.fixture.repo.findResults(simulationId))?.samples.map((s) => s.simulation_step)).toEqual([1, 2, 3, 4, 5]);
        expect((await h.events.on(EventChannels.simulationCompleted)).map((e) => [e.simulation_id, e.status])).toEqual([
          [simulationId, 'stopped'],
        ]);
        await h.scheduler.advance(1_000);
        expect(await h.streamed(simulationId)).toHaveLength(5);
      });

      it('lets the project owner stop a run someone else started', async () => {
        const colleague = h.aUser();
        h.projects.share(project.id, colleague, 'editor');
        h.grants.grant(colleague, 'simulation:start');
        const { simulationId } = await h.start(colleague, project);

        expect(valueOf(await h.service.stopSimulation({ simulationId, userId: owner })).simulation).toMatchObject({
          status: 'stopped',
          stoppedBy: owner,
          stopReason: 'stopped by user',
        });
      });

      it('refuses a reader of the project who neither started it nor owns the project', async () => {
        const reader = h.aUser();
        h.projects.share(project.id, reader);
        const { simulationId } = await h.start(owner, project);

        expect(failureOf(await h.service.stopSimulation({ simulationId, userId: reader }))).toMatchObject({
          kind: 'forbidden',
          code: 'simulation_stop_forbidden',
        });
        expect((await stored(simulationId)).status).toBe('running');
      });

      it('refuses a stranger and an unknown simulation', async () => {
        const { simulationId } = await h.start(owner, project);

        expect(failureOf(await h.service.stopSimulation({ simulationId, userId: h.aUser() }))).toMatchObject({ kind: 'forbidden' });
        expect(failureOf(await h.service.stopSimulation({ simulationId: 'sim-missing', userId: owner }))).toMatchObject({
          kind: 'not_found',
        });
      });

      it('says a finished simulation was not stopped', async () => {
        const { simulationId } = await h.start(owner, project, { durationSeconds: 1 });
        await h.scheduler.advance(1_000);

        expect(valueOf(await h.service.stopSimulation({ simulationId, userId: owner }))).toMatchObject({
          stopped: false,
          reason: 'already completed',
          simulation: { status: 'completed' },
        });
      });

      it('marks stopped a simulation recorded as running whose run is not in this process', async () => {
        const orphan = valueOf(await h.fixture.repo.create(aSimulation({ projectId: project.id, userId: owner })));

        const outcome = valueOf(await h.service.stopSimulation({ simulationId: orphan.id, userId: owner }));

        expect(outcome).toMatchObject({ stopped: true, simulation: { status: 'stopped', version: 2, completedAt: h.clock.now() } });
        // No run will announce its end: the stop does, once.
        expect(await h.events.on(EventChannels.simulationCompleted)).toEqual([
          expect.objectContaining({ simulation_id: orphan.id, status: 'stopped', event_id: expect.any(String) }),
        ]);
      });
    });

    it('stops every run on shutdown', async () => {
      const runs = [await h.start(owner, project), await h.start(owner, project)];

      await h.service.shutdown();

      for (const { simulationId } of runs)
        expect(await stored(simulationId)).toMatchObject({ status: 'stopped', stopReason: 'service shutting down' });
      expect(h.scheduler.active).toBe(0);
    });
  });
};
