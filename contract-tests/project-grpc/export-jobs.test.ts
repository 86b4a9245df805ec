import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExportService, defaultExportSettings, type ExportService } from '../../core/exports/index.js';
import type { SimulationReader, SimulationResultsData } from '../../core/exports/ports.js';
import { Queues, Streams } from '../../core/messaging/channels.js';
import { DomainFailureError, failure, type DomainFailure } from '../../core/shared/errors.js';
import { err, ok, type Result } from '../../core/shared/result.js';
import { InMemoryEventBus } from '../../adapters/memory/in-memory-event-bus.js';
import { InMemoryExportRepository } from '../../adapters/memory/in-memory-export-repository.js';
import { InMemoryOutbox } from '../../adapters/memory/in-memory-outbox.js';
import type { OutboxRelay } from '../../core/messaging/outbox-relay.js';
import { InMemoryProjectRepository } from '../../adapters/memory/in-memory-project-repository.js';
import { InMemoryStreamStore } from '../../adapters/memory/in-memory-stream-store.js';
import { StreamJobQueue } from '../../adapters/streams/stream-job-queue.js';
import { ManualClock } from '../../test-support/core/manual-clock.js';
import { RandomIdGenerator } from '../../adapters/system/random-id-generator.js';
import { createProjectHarness, type ProjectHarness } from '../project/project-harness.js';
import { testLogger } from '../../test-support/test-logger.js';
import { startTestRelay } from '../support/outbox-relay.js';

/** A simulation service that answers what the test sets: results, or a failure. */
class ScriptedSimulations implements SimulationReader {
  answer: Result<SimulationResultsData, DomainFailure> = err(failure('not_found', 'simulation_not_found', 'No such simulation'));

  async canRead(): Promise<Result<void, DomainFailure>> {
    return this.answer.ok ? ok(undefined) : this.answer;
  }

  async results(): Promise<Result<SimulationResultsData, DomainFailure>> {
    return this.answer;
  }

  async history() {
    return ok({ items: [], totalCount: 0 });
  }
}

const results: SimulationResultsData = {
  simulationId: 'sim-1',
  projectId: 'project-1',
  status: 'completed',
  startedAt: 1,
  completedAt: 2,
  durationSeconds: 1,
  summary: {},
  samples: [],
};

/** The export use cases on in-memory adapters, jobs handed to `runJob` by the test as a worker would. */
describe('export jobs', () => {
  let clock: ManualClock;
  let streams: InMemoryStreamStore;
  let simulations: ScriptedSimulations;
  let projectHarness: ProjectHarness;
  let exports: ExportService;
  let relay: OutboxRelay;
  const job = (payload: Record<string, unknown>, attempt = 1, type = 'simulation_export') => ({ type, payload, attempt });
  const exportJob = (exportId: string, attempt = 1, userId = 'user-1') =>
    job({ simulation_id: 'sim-1', user_id: userId, format: 'csv', export_id: exportId }, attempt);
  /** What the export service recorded, sent as its relay would (docs/adr/0038). */
  const sent = () => relay.drain();
  const notificationTypes = async (userId = 'user-1') => {
    await sent();
    return (await streams.range(Streams.notifications(userId), '-', '+')).map((entry) => entry.fields.type);
  };

  beforeEach(async () => {
    clock = new ManualClock();
    streams = new InMemoryStreamStore(clock);
    simulations = new ScriptedSimulations();
    projectHarness = await createProjectHarness({ repo: new InMemoryProjectRepository(), close: async () => {} });
    const outbox = new InMemoryOutbox();
    const jobs = new StreamJobQueue(streams, clock, testLogger('export-jobs-test'));
    relay = startTestRelay(outbox, { events: new InMemoryEventBus(), jobs, streams });
    exports = createExportService({
      exports: new InMemoryExportRepository(outbox),
      jobs,
      streams,
      simulations,
      projects: projectHarness.service,
      clock,
      ids: new RandomIdGenerator(),
      settings: { ...defaultExportSettings, maxAttempts: 3, retentionMs: 60_000 },
    });
  });
  afterEach(async () => {
    await relay.stop();
    await projectHarness.close();
    await streams.close();
  });

  it('produces the file once: a redelivered job finds the export ready and notifies nobody again', async () => {
    simulations.answer = ok(results);

    const first = await exports.runJob(exportJob('export-1'));
    const again = await exports.runJob(exportJob('export-1', 2));

    expect(first).toMatchObject({ ok: true, value: { status: 'ready', file: { fileName: 'simulation-sim-1-results.csv' } } });
    expect(again).toEqual(first);
    expect(await notificationTypes()).toEqual(['export_ready']);
    expect(await streams.length(Queues.notifications)).toBe(1);
    const emails = await streams.range(Queues.email, '-', '+');
    expect(emails.map((entry) => [entry.fields.type, JSON.parse(entry.fields.payload ?? '{}')])).toEqual([
      [
        'export_ready_email',
        { user_id: 'user-1', export_id: 'export-1', kind: 'simulation_results', format: 'csv', expires_at: expect.any(Number) },
      ],
    ]);
  });

  it('retries while the simulation service is unavailable, and fails the export on the last delivery', async () => {
    simulations.answer = err(failure('unavailable', 'dependency_unavailable', 'simulation did not answer'));

    await expect(exports.runJob(exportJob('export-2', 1))).rejects.toBeInstanceOf(DomainFailureError);
    expect(await exports.getExport({ exportId: 'export-2', userId: 'user-1' })).toMatchObject({ ok: true, value: { status: 'running' } });
    expect(await notificationTypes()).toEqual([]);

    const last = await exports.runJob(exportJob('export-2', 3));
    expect(last).toMatchObject({ ok: true, value: { status: 'failed', failure: { code: 'dependency_unavailable' } } });
    expect(await notificationTypes()).toEqual(['export_failed']);
    expect(await streams.length(Queues.email)).toBe(0);
  });

  it("drops malformed jobs and jobs naming another user's export, changing nothing", async () => {
    simulations.answer = ok(results);
    await exports.runJob(exportJob('export-3'));

    const outcomes = await Promise.all([
      exports.runJob(job({ simulation_id: 'sim-1', user_id: 'user-1', format: 'csv' })),
      exports.runJob(job({ simulation_id: 'sim-1', user_id: 'user-1', format: 'xml', export_id: 'x' })),
      exports.runJob(job({ user_id: 'user-1', export_id: 'x' }, 1, 'project_report')),
      exports.runJob(job({ user_id: 'user-1', export_id: 'x' }, 1, 'mystery')),
      exports.runJob(exportJob('export-3', 1, 'user-2')),
    ]);

    expect(outcomes.map((outcome) => !outcome.ok && outcome.error.code)).toEqual(Array(5).fill('malformed_export_job'));
    expect(await exports.getExport({ exportId: 'export-3', userId: 'user-1' })).toMatchObject({ ok: true, value: { status: 'ready' } });
    expect(await notificationTypes('user-2')).toEqual([]);
  });

  it('queues a requested export and its job, and forgets it once expired', async () => {
    simulations.answer = ok(results);
    const requested = await exports.requestExport({ userId: 'user-1', kind: 'simulation_results', subjectId: 'sim-1', format: 'csv' });
    if (!requested.ok) throw new Error(requested.error.message);
    await sent();
    const queued = await streams.range(Queues.exports, '-', '+');
    expect(queued).toHaveLength(1);
    expect(JSON.stringify(queued[0]?.fields)).toContain(requested.value.id);

    expect(await exports.getExport({ exportId: requested.value.id, userId: 'user-2' })).toMatchObject({
      ok: false,
      error: { kind: 'not_found' },
    });
    clock.advance(60_000);
    expect(await exports.getExport({ exportId: requested.value.id, userId: 'user-1' })).toMatchObject({
      ok: false,
      error: { kind: 'not_found' },
    });
    expect(await exports.deleteExpired()).toBe(1);
  });

  it('refuses at once a simulation the caller may not read, queuing nothing', async () => {
    simulations.answer = err(failure('not_found', 'simulation_not_found', 'No such simulation'));

    const refused = await exports.requestExport({ userId: 'user-2', kind: 'simulation_results', subjectId: 'sim-1' });

    expect(refused).toMatchObject({ ok: false, error: { code: 'simulation_not_found' } });
    await sent();
    expect(await streams.length(Queues.exports)).toBe(0);
  });

  it('refuses a request with an unknown kind, no subject, or a format the kind has not', async () => {
    const refused = await Promise.all([
      exports.requestExport({ userId: 'user-1', kind: 'everything', subjectId: 's' }),
      exports.requestExport({ userId: 'user-1', kind: 'simulation_results', subjectId: ' ' }),
      exports.requestExport({ userId: 'user-1', kind: 'project_report', subjectId: 'p', format: 'csv' }),
    ]);

    expect(refused.map((outcome) => !outcome.ok && outcome.error.violations?.map((violation) => violation.field))).toEqual([
      ['kind'],
      ['subjectId'],
      ['format'],
    ]);
  });
});
