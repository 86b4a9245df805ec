import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queues, Streams } from '../../core/messaging/channels.js';
import type { Job, Worker } from '../../core/messaging/work-queue.js';
import { METRIC_FIELDS } from '../../core/simulation/index.js';
import { h2cAgent, jsonRequest } from '../../contract-tests/support/http2-client.js';
import { waitFor } from '../../contract-tests/messaging/wait.js';
import { startRealAuth, type RealAuth } from '../../contract-tests/project-grpc/real-auth-server.js';
import { startProjectTestBed, type ProjectTestBed } from '../../test-support/project-test-bed.js';
import { startSimulationTestServer, type SimulationTestServer } from '../../test-support/simulation-test-server.js';

/**
 * The export and report workers of the project service, end to end: jobs on the queues, the
 * simulation service over gRPC (a real one, reading the project back over gRPC), files downloaded
 * over HTTP/2, and the user notified on the stream and the notification queue.
 */
describe('project exports and reports', () => {
  let auth: RealAuth;
  let simulation: SimulationTestServer;
  let bed: ProjectTestBed;
  let notifyWorker: Worker;
  const notifyJobs: Job[] = [];
  const http2 = h2cAgent();

  const download = async (exportId: string, token: string) => {
    const response = await request(`${bed.url}/exports/${exportId}`, {
      dispatcher: http2,
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
  };
  /** Polls the export until it is no longer queued or running. */
  const finished = async (exportId: string, token: string) => {
    let last: Awaited<ReturnType<typeof download>> | undefined;
    await waitFor(
      async () => {
        last = await download(exportId, token);
        return last.status !== 202;
      },
      15_000,
      `export ${exportId} to finish`,
    );
    return last!;
  };
  /** A completed simulation of a new project of a new user. */
  const completedSimulation = async () => {
    const { user, token } = await auth.harness.loggedInUser();
    const created = await jsonRequest(http2, 'POST', `${bed.url}/projects`, {
      token,
      body: { name: 'Shop', template_id: 'microservices' },
    });
    const projectId: string = created.body.project_id;
    const started = await simulation.service.startSimulation({ userId: user.id, projectId, durationSeconds: 3, enableRealTime: false });
    if (!started.ok) throw new Error(`simulation not started: ${started.error.code} ${started.error.message}`);
    const simulationId = started.value.simulationId;
    await waitFor(
      async () => {
        const status = await simulation.service.getStatus({ simulationId, userId: user.id });
        return status.ok && status.value.status === 'completed';
      },
      15_000,
      'the simulation to complete',
    );
    return { user, token, projectId, simulationId };
  };

  beforeAll(async () => {
    auth = await startRealAuth();
    simulation = await startSimulationTestServer(auth.client);
    bed = await startProjectTestBed({ auth, simulationAddress: simulation.address });
    simulation.connectProjects(bed.grpcAddress);
    notifyWorker = await bed.messaging.jobs.work(Queues.notifications, 'test-notifications', async (job) => {
      notifyJobs.push(job);
    });
  });
  afterAll(async () => {
    await notifyWorker?.stop();
    await http2.close();
    await bed?.stop();
    await simulation?.stop();
    await auth?.stop();
  });

  it('turns a simulation_export job from the gateway into a CSV file, notifies the user, and serves it to them only', async () => {
    const { user, token, simulationId } = await completedSimulation();
    const exportId = `gateway-export-${simulationId}`;

    await bed.messaging.jobs.enqueue(Queues.exports, {
      type: 'simulation_export',
      payload: { simulation_id: simulationId, user_id: user.id, format: 'csv', export_id: exportId },
    });
    const file = await finished(exportId, token);

    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toContain('text/csv');
    expect(file.headers['content-disposition']).toBe(`attachment; filename="simulation-${simulationId}-results.csv"`);
    const results = await simulation.service.getResults({ simulationId, userId: user.id, maxSamples: 10_000 });
    if (!results.ok) throw new Error('results not readable');
    const rows = file.text.trimEnd().split('\r\n');
    expect(rows[0]).toBe(METRIC_FIELDS.join(','));
    expect(rows).toHaveLength(results.value.samples.length + 1);
    expect(results.value.samples.length).toBeGreaterThan(0);
    const first = results.value.samples[0]!;
    expect(rows[1]).toBe(METRIC_FIELDS.map((field) => String(first[field])).join(','));

    const notifications = await bed.messaging.streams.range(Streams.notifications(user.id), '-', '+');
    expect(notifications.map((entry) => entry.fields)).toContainEqual({
      type: 'export_ready',
      export_id: exportId,
      kind: 'simulation_results',
      format: 'csv',
      timestamp: expect.stringMatching(/^\d+$/),
    });
    await waitFor(() => notifyJobs.some((job) => job.payload.user_id === user.id), 10_000, 'the notify job');
    expect(notifyJobs.find((job) => job.payload.user_id === user.id)).toMatchObject({
      type: 'notify',
      payload: { user_id: user.id, notification: { type: 'export_ready', export_id: exportId, format: 'csv' } },
    });

    const other = await auth.harness.loggedInUser();
    expect((await download(exportId, other.token)).status).toBe(404);
  });

  it('creates a JSON export through POST /exports and reports the progress until the file is ready', async () => {
    const { token, simulationId } = await completedSimulation();

    const queued = await jsonRequest(http2, 'POST', `${bed.url}/exports`, {
      token,
      body: { kind: 'simulation_results', simulation_id: simulationId, format: 'json' },
    });
    expect(queued.status).toBe(202);
    expect(queued.body.export).toMatchObject({ kind: 'simulation_results', simulation_id: simulationId, format: 'json', status: 'queued' });
    expect(queued.headers.location).toBe(`/exports/${queued.body.export.id}`);

    const file = await finished(queued.body.export.id, token);
    expect(file.headers['content-type']).toContain('application/json');
    expect(JSON.parse(file.text)).toMatchObject({ simulation_id: simulationId, status: 'completed', samples: expect.any(Array) });
  });

  it('refuses at once the export of a simulation the user cannot read, queuing nothing', async () => {
    const { user, token } = await auth.harness.loggedInUser();

    const refused = await jsonRequest(http2, 'POST', `${bed.url}/exports`, {
      token,
      body: { kind: 'simulation_results', simulation_id: 'no-such-simulation', format: 'csv' },
    });

    expect(refused.status).toBe(404);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(await bed.messaging.streams.range(Streams.notifications(user.id), '-', '+')).toEqual([]);
  });

  it('reports a project with its configuration, members and simulation history', async () => {
    const { token, projectId, simulationId } = await completedSimulation();

    const queued = await jsonRequest(http2, 'POST', `${bed.url}/projects/${projectId}/reports`, { token });
    expect(queued.status).toBe(202);
    const report = JSON.parse((await finished(queued.body.export.id, token)).text);

    expect(report.project).toMatchObject({ id: projectId, template_id: 'microservices', configuration: { services: '12' } });
    expect(report.members).toEqual([expect.objectContaining({ role: 'owner' })]);
    expect(report.simulations).toMatchObject({ total_count: 1, items: [{ simulation_id: simulationId, status: 'completed' }] });
  });
});
