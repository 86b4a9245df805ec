import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventChannels, Queues, Streams } from '../../core/messaging/channels.js';
import type { DomainEvent } from '../../core/messaging/events.js';
import { analyzePerformance, createSimulationService, summarizeSeries } from '../../core/simulation/index.js';
import { ManualScheduler } from '../../test-support/core/manual-scheduler.js';
import { InMemoryEventBus } from '../../adapters/memory/in-memory-event-bus.js';
import { ManualClock } from '../../test-support/core/manual-clock.js';
import { RandomIdGenerator } from '../../adapters/system/random-id-generator.js';
import { waitFor } from '../messaging/wait.js';
import { aMetricSample, aSimulation, valueOf } from './builders.js';
import { InMemoryGrants, InMemoryProjectDirectory, QuietCluster } from './simulation-harness.js';
import { ANALYTICS_JOB, analyticsJobHandler } from '../../core/simulation/analytics-jobs.js';
import { startTestRelay } from '../support/outbox-relay.js';
import { createBackgroundFixture, type BackgroundFixture } from '../../test-support/background-fixture.js';

describe('analytics of finished simulations', () => {
  let f: BackgroundFixture;
  beforeEach(async () => {
    f = createBackgroundFixture();
    await f.jobs.work(
      Queues.analytics,
      'simulation-analytics',
      analyticsJobHandler({ repository: f.repository, streams: f.streams, clock: f.clock, logger: f.logger }),
    );
  });
  afterEach(async () => {
    await f.close();
  });

  const analyticsEvents = () => f.streams.range(Streams.analyticsEvents, '-', '+');

  it("appends a simulation_run event with the run's analysis to analytics:stream:events", async () => {
    const series = [aMetricSample(1, { avg_latency: 20 }), aMetricSample(2, { avg_latency: 30, error_rate: 0.02 })];
    const simulation = valueOf(
      await f.repository.create(aSimulation({ status: 'completed', stepsCompleted: 2, completedAt: 1_767_225_700_000 })),
    );
    await f.repository.saveResults(simulation.id, series, summarizeSeries(series));
    const analysis = analyzePerformance(series, simulation.config);

    await f.jobs.enqueue(Queues.analytics, { type: ANALYTICS_JOB, payload: { simulation_id: simulation.id } });

    await waitFor(async () => (await analyticsEvents()).length === 1, 5_000, 'the analytics event');
    expect((await analyticsEvents())[0]!.fields).toEqual({
      type: 'simulation_run',
      simulation_id: simulation.id,
      project_id: simulation.projectId,
      user_id: simulation.userId,
      duration_steps: '2',
      avg_latency: String(analysis.summary.avg_latency),
      error_rate: String(analysis.summary.avg_error_rate),
      overall_score: String(analysis.overallScore),
      timestamp: '1767225700000',
    });
  });

  it('drops a job for a simulation that no longer exists, with a log line and no event', async () => {
    await f.jobs.enqueue(Queues.analytics, { type: ANALYTICS_JOB, payload: { simulation_id: 'sim-gone' } });

    expect(await f.logged('analytics job dropped: no such simulation')).toMatchObject({ simulationId: 'sim-gone' });
    expect(await analyticsEvents()).toEqual([]);
    expect(await f.jobs.deadLetters(Queues.analytics)).toEqual([]);
  });

  it('gets one job per completed run, recorded with its end and its completion event (outbox)', async () => {
    const clock = new ManualClock();
    const scheduler = new ManualScheduler(clock);
    const bus = new InMemoryEventBus(f.logger);
    const completions: DomainEvent[] = [];
    await bus.subscribe(EventChannels.simulationCompleted, (event) => {
      completions.push(event);
    });
    const projects = new InMemoryProjectDirectory();
    const grants = new InMemoryGrants();
    const faults: unknown[] = [];
    const relay = startTestRelay(f.repository.outbox, { events: bus, jobs: f.jobs, streams: f.streams });
    const service = createSimulationService({
      repository: f.repository,
      projects,
      authorization: grants,
      streams: f.streams,
      scheduler,
      clock,
      ids: new RandomIdGenerator(),
      reportFault: (error) => faults.push(error),
    });
    const owner = 'user-1';
    const project = projects.add(owner, QuietCluster);
    grants.grant(owner, 'simulation:start');
    const jobs = await f.observe(Queues.analytics);

    const { simulationId } = valueOf(
      await service.startSimulation({ userId: owner, projectId: project.id, durationSeconds: 1, enableRealTime: true }),
    );
    await scheduler.runUntilIdle(5_000);

    await waitFor(async () => (await analyticsEvents()).length === 1, 5_000, 'the analytics event of the run');
    await waitFor(() => completions.length === 1, 5_000, 'the completion event');
    await waitFor(() => jobs.length === 1, 5_000, 'the analytics job');
    expect(await f.streams.length(Queues.analytics)).toBe(1);
    expect(jobs[0]).toMatchObject({
      type: ANALYTICS_JOB,
      payload: { simulation_id: simulationId, project_id: project.id, user_id: owner, status: 'completed' },
    });
    expect((await analyticsEvents())[0]!.fields).toMatchObject({ simulation_id: simulationId, duration_steps: '10' });
    expect(completions[0]).toMatchObject({ simulation_id: simulationId, status: 'completed', event_id: expect.any(String) });
    expect(faults).toEqual([]);
    await relay.stop();
  });
});
