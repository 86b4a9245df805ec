import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SimulationRepository } from '../../core/simulation/ports.js';
import type { Simulation } from '../../core/simulation/simulation.js';
import { summarizeSeries } from '../../core/simulation/summary.js';
import { outboxEvent } from '../../core/messaging/outbox.js';
import { eventsOf, outboxOf, takePending } from '../support/outbox-relay.js';
import { aMetricSample, aSimulation, anId, atMinute, failureOf, valueOf } from './builders.js';

export interface SimulationRepositoryFixture {
  readonly repo: SimulationRepository;
  close(): Promise<void>;
}

/** Every SimulationRepository adapter runs this suite (STYLE.md 14). Each fixture must start empty. */
export function describeSimulationRepositoryContract(adapterName: string, createFixture: () => Promise<SimulationRepositoryFixture>): void {
  describe(`SimulationRepository contract: ${adapterName}`, () => {
    let fixture: SimulationRepositoryFixture;
    let repo: SimulationRepository;
    beforeEach(async () => {
      fixture = await createFixture();
      repo = fixture.repo;
    });
    afterEach(async () => {
      await fixture.close();
    });

    const finished = (overrides: Partial<Simulation> = {}): Simulation =>
      aSimulation({ status: 'completed', stepsCompleted: 600, completedAt: atMinute(1), finalSample: aMetricSample(600), ...overrides });

    describe('create and findById', () => {
      it('finds a created simulation with every field as stored, at version 1', async () => {
        const simulation = finished({ stoppedBy: anId('user'), stopReason: 'enough', components: [] });

        expect(valueOf(await repo.create(simulation))).toEqual(simulation);
        expect(await repo.findById(simulation.id)).toEqual(simulation);
      });

      it('finds nothing for an unknown id', async () => {
        expect(await repo.findById(anId('sim'))).toBeUndefined();
      });

      it('refuses a second simulation with the same id', async () => {
        const simulation = aSimulation();
        await repo.create(simulation);

        expect(failureOf(await repo.create({ ...simulation, projectId: anId('project') }))).toMatchObject({ kind: 'conflict' });
        expect((await repo.findById(simulation.id))?.projectId).toBe(simulation.projectId);
      });
    });

    describe('create within running limits', () => {
      const limits = { perUser: 2, perProject: 3, graceMs: 60_000 };
      const runningOf = async (select: (simulation: Simulation) => boolean, ids: readonly string[]) =>
        (await Promise.all(ids.map((id) => repo.findById(id)))).filter((simulation) => simulation && select(simulation)).length;

      it('stores while the user runs fewer than perUser, then refuses with the time until the earliest run should end', async () => {
        const userId = anId('user');
        await repo.create(aSimulation({ userId, startedAt: atMinute(0), durationSeconds: 300 }), limits);
        await repo.create(aSimulation({ userId, startedAt: atMinute(1), durationSeconds: 600 }), limits);

        const refused = failureOf(await repo.create(aSimulation({ userId, startedAt: atMinute(2) }), limits));

        expect(refused).toMatchObject({ kind: 'rate_limited', code: 'simulation_quota_exceeded', retryAfterMs: 60_000 });
        expect(refused.message).toMatch(/You already have 2 simulations running/);
        expect((await repo.listByUser(userId, { limit: 10 })).total).toBe(2);
      });

      it('refuses past perProject for any mix of users, counting only running, unexpired runs', async () => {
        const projectId = anId('project');
        for (let i = 0; i < 3; i += 1)
          valueOf(await repo.create(aSimulation({ projectId, startedAt: atMinute(10), durationSeconds: 30 }), limits));
        await repo.create(aSimulation({ projectId, status: 'completed', completedAt: atMinute(1), startedAt: atMinute(0) }));
        // Left running by a process that died: its planned end plus the grace is past, so it no longer counts.
        await repo.create(aSimulation({ projectId, userId: anId('user'), startedAt: atMinute(0), durationSeconds: 60 }));

        const refused = failureOf(await repo.create(aSimulation({ projectId, startedAt: atMinute(10) + 5_000 }), limits));
        const other = await repo.create(aSimulation({ startedAt: atMinute(10) + 5_000 }), limits);

        expect(refused).toMatchObject({ kind: 'rate_limited', code: 'simulation_quota_exceeded', retryAfterMs: 25_000 });
        expect(refused.message).toMatch(/This project already has 3 simulations running/);
        expect(other.ok).toBe(true);
      });

      it('counts a run again once it is no longer running, and a batch run as ending at its start', async () => {
        const userId = anId('user');
        const first = valueOf(await repo.create(aSimulation({ userId, realTime: false, startedAt: atMinute(0) }), limits));
        await repo.create(aSimulation({ userId, startedAt: atMinute(0) }), limits);

        expect(failureOf(await repo.create(aSimulation({ userId, startedAt: atMinute(0) + 10 }), limits)).retryAfterMs).toBe(1_000);
        await repo.update({ ...first, status: 'completed', completedAt: atMinute(0) + 20 }, 1);

        expect((await repo.create(aSimulation({ userId, startedAt: atMinute(0) + 30 }), limits)).ok).toBe(true);
      });

      it('lets no two concurrent creates pass a limit together', async () => {
        const userId = anId('user');
        const projectId = anId('project');
        const byUser = Array.from({ length: 12 }, () => aSimulation({ userId }));
        const byProject = Array.from({ length: 12 }, () => aSimulation({ projectId }));

        const answers = await Promise.all([...byUser, ...byProject].map((simulation) => repo.create(simulation, limits)));

        expect(answers.filter((answer) => answer.ok)).toHaveLength(limits.perUser + limits.perProject);
        expect(answers.filter((answer) => !answer.ok).map((answer) => !answer.ok && answer.error.code)).toEqual(
          Array.from({ length: 24 - limits.perUser - limits.perProject }, () => 'simulation_quota_exceeded'),
        );
        expect(
          await runningOf(
            (simulation) => simulation.userId === userId,
            byUser.map((simulation) => simulation.id),
          ),
        ).toBe(limits.perUser);
        expect(
          await runningOf(
            (simulation) => simulation.projectId === projectId,
            byProject.map((simulation) => simulation.id),
          ),
        ).toBe(limits.perProject);
      });

      it('stores without a count when no limits are given', async () => {
        const userId = anId('user');
        for (let i = 0; i < 4; i += 1) valueOf(await repo.create(aSimulation({ userId })));

        expect((await repo.listByUser(userId, { limit: 10 })).total).toBe(4);
      });
    });

    describe('update', () => {
      it('replaces the simulation at the expected version and counts the version up', async () => {
        const simulation = valueOf(await repo.create(aSimulation()));

        const updated = valueOf(
          await repo.update({ ...simulation, status: 'stopped', stoppedBy: simulation.userId, completedAt: atMinute(2) }, 1),
        );

        expect(updated).toMatchObject({ status: 'stopped', stoppedBy: simulation.userId, completedAt: atMinute(2), version: 2 });
        expect(await repo.findById(simulation.id)).toEqual(updated);
      });

      it('refuses a stale version, keeping what the first writer stored', async () => {
        const simulation = valueOf(await repo.create(aSimulation()));
        valueOf(await repo.update({ ...simulation, status: 'completed' }, 1));

        expect(failureOf(await repo.update({ ...simulation, status: 'stopped' }, 1))).toMatchObject({ kind: 'conflict' });
        expect(await repo.findById(simulation.id)).toMatchObject({ status: 'completed', version: 2 });
      });

      it('reports an unknown simulation as not found', async () => {
        expect(failureOf(await repo.update(aSimulation(), 1))).toMatchObject({ kind: 'not_found' });
      });

      it('records the messages of an update that was stored, under the simulation, and none of a refused one', async () => {
        const note = (type: string) => outboxEvent('simulation:events:test', { type, timestamp: 1 });
        const simulation = valueOf(await repo.create(aSimulation()));
        valueOf(await repo.update({ ...simulation, status: 'completed' }, 1, [note('completed')]));
        failureOf(await repo.update({ ...simulation, status: 'stopped' }, 1, [note('stale')]));
        failureOf(await repo.update(aSimulation(), 1, [note('unknown')]));

        const taken = await takePending(outboxOf(repo));
        expect(eventsOf(taken)).toEqual(['simulation:events:test completed']);
        expect(taken[0]?.aggregate).toBe(`simulation:${simulation.id}`);
      });
    });

    describe('results', () => {
      it('stores the samples and summary of a simulation and gives them back in order', async () => {
        const simulation = valueOf(await repo.create(aSimulation()));
        const samples = [1, 2, 3].map((step) => aMetricSample(step, { avg_latency: 20 + step, error_rate: step / 100 }));

        await repo.saveResults(simulation.id, samples, summarizeSeries(samples));

        expect(await repo.findResults(simulation.id)).toEqual({ simulationId: simulation.id, samples, summary: summarizeSeries(samples) });
      });

      it('replaces earlier results', async () => {
        const simulation = valueOf(await repo.create(aSimulation()));
        const first = [aMetricSample(1)];
        const second = [aMetricSample(1), aMetricSample(2)];
        await repo.saveResults(simulation.id, first, summarizeSeries(first));

        await repo.saveResults(simulation.id, second, summarizeSeries(second));

        expect((await repo.findResults(simulation.id))?.samples).toEqual(second);
      });

      it('keeps 10,000 samples', async () => {
        const simulation = valueOf(await repo.create(aSimulation()));
        const samples = Array.from({ length: 10_000 }, (_, i) => aMetricSample(i + 1));

        await repo.saveResults(simulation.id, samples, summarizeSeries(samples));

        expect((await repo.findResults(simulation.id))?.samples).toHaveLength(10_000);
      });

      it('finds no results for a simulation without any', async () => {
        const simulation = valueOf(await repo.create(aSimulation()));

        expect(await repo.findResults(simulation.id)).toBeUndefined();
      });
    });

    describe('listing', () => {
      const projectId = anId('project');
      const userId = anId('user');
      const store = async (minute: number, overrides: Partial<Simulation> = {}) =>
        valueOf(await repo.create(aSimulation({ projectId, userId, startedAt: atMinute(minute), ...overrides })));

      it('lists a project newest first, with the total count, over pages that continue after a cursor', async () => {
        const [a, b, c] = [await store(1), await store(3), await store(2)];
        await store(4, { projectId: anId('project') });

        const first = await repo.listByProject(projectId, { limit: 2 });
        const last = first.items.at(-1)!;
        const second = await repo.listByProject(projectId, { limit: 2, after: { startedAt: last.startedAt, id: last.id } });

        expect(first).toEqual({ items: [b, c], total: 3, hasMore: true });
        expect(second).toEqual({ items: [a], total: 3, hasMore: false });
      });

      it('orders simulations started at the same time by id, descending', async () => {
        const ids = [anId('sim'), anId('sim'), anId('sim')];
        for (const id of ids) await store(5, { id });

        const page = await repo.listByProject(projectId, { limit: 10 });

        expect(page.items.map((s) => s.id)).toEqual([...ids].sort().reverse());
      });

      it('lists the simulations a user started, across projects', async () => {
        const mine = [await store(1, { projectId: anId('project') }), await store(2)];
        await store(3, { userId: anId('user') });

        expect((await repo.listByUser(userId, { limit: 10 })).items).toEqual([mine[1], mine[0]]);
      });

      it('filters by status, counting only what matches', async () => {
        await store(1);
        const done = await store(2, { status: 'completed', completedAt: atMinute(3) });

        expect(await repo.listByProject(projectId, { limit: 10, status: 'completed' })).toEqual({
          items: [done],
          total: 1,
          hasMore: false,
        });
      });

      it('gives an empty page for a project without simulations', async () => {
        expect(await repo.listByProject(anId('project'), { limit: 10 })).toEqual({ items: [], total: 0, hasMore: false });
      });
    });

    describe('deleteOlderThan', () => {
      it('deletes finished simulations that ended before the cutoff, with their results, and keeps the rest', async () => {
        const old = valueOf(await repo.create(finished({ completedAt: atMinute(10) })));
        const recent = valueOf(await repo.create(finished({ completedAt: atMinute(30) })));
        const running = valueOf(await repo.create(aSimulation({ startedAt: atMinute(0) })));
        await repo.saveResults(old.id, [aMetricSample(1)], summarizeSeries([aMetricSample(1)]));

        expect(await repo.deleteOlderThan(atMinute(20))).toEqual([old.id]);
        expect(await repo.findById(old.id)).toBeUndefined();
        expect(await repo.findResults(old.id)).toBeUndefined();
        expect(await repo.findById(recent.id)).toEqual(recent);
        expect(await repo.findById(running.id)).toEqual(running);
      });

      it('deletes nothing and returns no ids when nothing finished before the cutoff', async () => {
        const recent = valueOf(await repo.create(finished({ completedAt: atMinute(30) })));

        expect(await repo.deleteOlderThan(atMinute(20))).toEqual([]);
        expect(await repo.findById(recent.id)).toEqual(recent);
      });
    });
  });
}
