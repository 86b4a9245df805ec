import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Streams } from '../../core/messaging/channels.js';
import type { DomainFailure } from '../../core/shared/errors.js';
import type { Result } from '../../core/shared/result.js';
import { analyzePerformance } from '../../core/simulation/analysis.js';
import type { ProjectView } from '../../core/simulation/ports.js';
import { summarizeSeries } from '../../core/simulation/summary.js';
import { failureOf, valueOf } from './builders.js';
import type { SimulationHarness, SimulationHarnessFactory } from './simulation-harness.js';

/** getStatus, getResults, getLiveMetrics, getPerformanceAnalysis, and who may read a simulation. */
export const describeReadUseCases = (harness: SimulationHarnessFactory): void => {
  describe('reading a simulation', () => {
    let h: SimulationHarness;
    let owner: string;
    let project: ProjectView;
    let simulationId: string;
    let startedAt: number;
    beforeEach(async () => {
      h = await harness();
      owner = h.aUser();
      project = h.aProjectOf(owner);
      ({ simulationId, startedAt } = await h.start(owner, project, { durationSeconds: 4, components: ['checkout', 'payments'] }));
    });
    afterEach(async () => {
      await h.close();
    });

    const ref = () => ({ simulationId, userId: owner });

    describe('getStatus', () => {
      it('reports progress, the expected end, the components and the latest sample while running', async () => {
        await h.scheduler.advance(1_000);

        const status = valueOf(await h.service.getStatus(ref()));

        expect(status).toEqual({
          simulationId,
          projectId: project.id,
          status: 'running',
          progressPercentage: 25,
          stepsCompleted: 10,
          totalSteps: 40,
          startedAt,
          estimatedCompletion: startedAt + 4_000,
          activeComponents: ['checkout', 'payments'],
          currentMetrics: (await h.streamed(simulationId)).at(-1),
        });
      });

      it('reports a finished run as complete, with its end time and final sample', async () => {
        await h.scheduler.advance(4_000);

        const status = valueOf(await h.service.getStatus(ref()));

        expect(status).toMatchObject({
          status: 'completed',
          progressPercentage: 100,
          estimatedCompletion: startedAt + 4_000,
          activeComponents: [],
        });
        expect(status.currentMetrics?.simulation_step).toBe(40);
      });
    });

    describe('getResults', () => {
      it('gives the samples so far of a running simulation, marked not final', async () => {
        await h.scheduler.advance(500);

        const results = valueOf(await h.service.getResults(ref()));

        expect(results).toMatchObject({ final: false, totalSamples: 5, simulation: { status: 'running', stepsCompleted: 5 } });
        expect(results.samples).toEqual(await h.streamed(simulationId));
        expect(results.summary).toEqual(summarizeSeries(results.samples));
      });

      it('gives the stored series and summary once finished, the newest samples when capped', async () => {
        await h.scheduler.advance(4_000);
        const stored = (await h.fixture.repo.findResults(simulationId))!;

        const all = valueOf(await h.service.getResults(ref()));
        const capped = valueOf(await h.service.getResults({ ...ref(), maxSamples: 3 }));

        expect(all).toMatchObject({
          final: true,
          totalSamples: 40,
          samples: stored.samples,
          summary: stored.summary,
          finalSample: stored.samples.at(-1),
        });
        expect(capped.samples.map((s) => s.simulation_step)).toEqual([38, 39, 40]);
      });
    });

    describe('getLiveMetrics', () => {
      it('gives the latest sample and the samples after a time, newest kept under the cap', async () => {
        await h.scheduler.advance(1_000);
        const streamed = await h.streamed(simulationId);

        const live = valueOf(await h.service.getLiveMetrics({ ...ref(), since: streamed[5]!.timestamp, maxSamples: 3 }));

        expect(live).toEqual({
          simulationId,
          status: 'running',
          latest: streamed[9],
          samples: streamed.slice(7),
          streamKey: Streams.simulation(simulationId),
        });
      });

      it('gives only the latest sample when no samples are asked for', async () => {
        await h.scheduler.advance(300);

        const live = valueOf(await h.service.getLiveMetrics(ref()));

        expect(live.latest?.simulation_step).toBe(3);
        expect(live.samples).toEqual([]);
      });

      it('answers from the stored series once the run has finished', async () => {
        await h.scheduler.advance(4_000);

        const live = valueOf(await h.service.getLiveMetrics({ ...ref(), maxSamples: 2 }));

        expect(live).toMatchObject({ status: 'completed', latest: { simulation_step: 40 } });
        expect(live.samples.map((s) => s.simulation_step)).toEqual([39, 40]);
      });
    });

    describe('getPerformanceAnalysis', () => {
      it('analyses the stored series of a finished run', async () => {
        await h.scheduler.advance(4_000);
        const stored = (await h.fixture.repo.findResults(simulationId))!;
        const simulation = (await h.fixture.repo.findById(simulationId))!;

        const analysis = valueOf(await h.service.getPerformanceAnalysis(ref()));

        expect(analysis).toEqual({
          ...analyzePerformance(stored.samples, simulation.config),
          simulationId,
          status: 'completed',
          analyzedAt: h.clock.now(),
        });
      });
    });

    describe('access', () => {
      it('lets a user the project is shared with read a run someone else started', async () => {
        const reader = h.aUser();
        h.projects.share(project.id, reader);

        expect(valueOf(await h.service.getStatus({ simulationId, userId: reader })).status).toBe('running');
      });

      it('refuses a user who may not read the project, on every read', async () => {
        const stranger = { simulationId, userId: h.aUser() };

        const reads: Result<unknown, DomainFailure>[] = [
          await h.service.getStatus(stranger),
          await h.service.getResults(stranger),
          await h.service.getLiveMetrics(stranger),
          await h.service.getPerformanceAnalysis(stranger),
        ];
        for (const refused of reads) {
          expect(failureOf(refused)).toMatchObject({ kind: 'forbidden', code: 'simulation_forbidden' });
        }
      });

      it('lets the starter read even after losing access to the project', async () => {
        const colleague = h.aUser();
        h.projects.share(project.id, colleague, 'editor');
        h.grants.grant(colleague, 'simulation:start');
        const started = await h.start(colleague, project);
        h.projects.unshare(project.id, colleague);

        expect(valueOf(await h.service.getStatus({ simulationId: started.simulationId, userId: colleague })).projectId).toBe(project.id);
      });

      it('reports an unknown simulation as not found', async () => {
        expect(failureOf(await h.service.getStatus({ simulationId: 'sim-missing', userId: owner }))).toMatchObject({ kind: 'not_found' });
      });

      it('throws the fault of a project directory that cannot say whether a reader may read', async () => {
        h.projects.down = true;

        await expect(h.service.getResults({ simulationId, userId: h.aUser() })).rejects.toMatchObject({ failure: { kind: 'unavailable' } });
        h.projects.down = false;
      });
    });
  });
};
