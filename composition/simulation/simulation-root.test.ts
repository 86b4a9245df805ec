import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventChannels, Streams } from '../../core/messaging/channels.js';
import type { DomainEvent } from '../../core/messaging/events.js';
import { SimulationServiceClient } from '../../adapters/grpc/generated/simulation.js';
import { singleInstance } from '../../adapters/grpc/mesh/single-instance.js';
import { GrpcSimulationClient } from '../../adapters/grpc/simulation/grpc-simulation-client.js';
import { waitFor } from '../../contract-tests/messaging/wait.js';
import { valueOf } from '../../contract-tests/simulation/builders.js';
import { QuietCluster } from '../../contract-tests/simulation/simulation-harness.js';
import { h2cAgent, jsonRequest } from '../../contract-tests/support/http2-client.js';
import { startAuthService } from '../auth/auth-root.js';
import { startProjectService } from '../project/project-root.js';
import type { ServiceName, ServiceTargets } from '../config.js';
import { createInMemoryMessaging, type Messaging } from '../messaging.js';
import type { ServiceContext } from '../service-context.js';
import type { RunningService } from '../service-server.js';
import { standaloneContext } from '../../test-support/standalone-context.js';
import { testMeshConfig } from '../../test-support/test-mesh.js';
import { startSimulationServiceWith } from './simulation-root.js';
import { testLogger } from '../../test-support/test-logger.js';

/**
 * The simulation composition root, started as the launcher starts it, after the auth and project
 * services (their own roots): its HTTP API, gRPC API and background work, and a clean stop.
 */
describe('the simulation service root', () => {
  const logger = testLogger('simulation-root-test');
  const http2 = h2cAgent();
  let messaging: Messaging;
  let auth: RunningService;
  let project: RunningService;
  let simulation: RunningService;
  let client: GrpcSimulationClient;
  let closeClient: () => void;
  let base: string;
  let user: { id: string; token: string };
  const completions: DomainEvent[] = [];

  beforeAll(async () => {
    const config = testMeshConfig();
    messaging = createInMemoryMessaging(logger);
    const started = new Map<ServiceName, RunningService>();
    const targetOf = (service: ServiceName): ServiceTargets => {
      const local = started.get(service);
      return local ? { grpc: `127.0.0.1:${local.grpc.port}`, http: `127.0.0.1:${local.http.port}` } : config.targets[service];
    };
    const context: ServiceContext = standaloneContext({ config, logger, messaging, targetOf });
    auth = await startAuthService(context);
    started.set('auth', auth);
    project = await startProjectService(context);
    started.set('project', project);
    simulation = await startSimulationServiceWith(context, {
      updatesPerSecond: 10,
      cleanupIntervalMs: 3_600_000,
      retentionMs: 86_400_000,
      running: config.simulation.running,
      finishedStreamGraceMs: 60_000,
    });
    base = `http://127.0.0.1:${simulation.http.port}`;
    const source = singleInstance(SimulationServiceClient, `127.0.0.1:${simulation.grpc.port}`);
    closeClient = () => source.close();
    client = new GrpcSimulationClient(source, { target: 'simulation', timeoutMs: 10_000 });
    await messaging.events.subscribe(EventChannels.simulationCompleted, (event) => {
      completions.push(event);
    });

    const authHttp = `http://127.0.0.1:${auth.http.port}`;
    const credentials = { email: 'sim-root@example.test', password: 'correct horse battery', name: 'Sim' };
    const registered = await jsonRequest(http2, 'POST', `${authHttp}/auth/register`, { body: credentials });
    const login = await jsonRequest(http2, 'POST', `${authHttp}/auth/login`, {
      body: { email: credentials.email, password: credentials.password },
    });
    user = { id: registered.body.user.id, token: login.body.access_token };
  });

  afterAll(async () => {
    closeClient?.();
    await http2.close();
    await simulation?.stop();
    await project?.stop();
    await auth?.stop();
    await messaging?.close();
  });

  /** A project of the user, created through the project service's client API. */
  const aProject = async (): Promise<string> => {
    const created = await jsonRequest(http2, 'POST', `http://127.0.0.1:${project.http.port}/projects`, {
      token: user.token,
      body: { name: 'Simulated cluster', configuration: QuietCluster },
    });
    expect(created.status).toBe(201);
    return created.body.project_id;
  };

  const startOver = async (projectId: string, durationSeconds: number) => {
    const started = await jsonRequest(http2, 'POST', `${base}/simulations`, {
      token: user.token,
      body: { project_id: projectId, duration_seconds: durationSeconds },
    });
    expect(started.status).toBe(201);
    return started.body.simulation_id as string;
  };

  it('runs a simulation started over HTTP, streams it, and appends its analytics event when it completes', async () => {
    const id = await startOver(await aProject(), 1);

    await waitFor(
      async () => valueOf(await client.getSimulationStatus({ simulationId: id, userId: user.id })).status === 'completed',
      15_000,
      'the run to complete',
    );
    expect(await messaging.streams.length(Streams.simulation(id))).toBe(10);
    await waitFor(
      async () => (await messaging.streams.range(Streams.analyticsEvents, '-', '+')).some((entry) => entry.fields.simulation_id === id),
      15_000,
      'the analytics event of the run',
    );
    expect(valueOf(await client.healthCheck()).service).toBe('simulation');
  });

  it('stops the running simulations of a project deleted in the project service', async () => {
    const projectId = await aProject();
    const id = await startOver(projectId, 600);

    const deleted = await jsonRequest(http2, 'DELETE', `http://127.0.0.1:${project.http.port}/projects/${projectId}`, {
      token: user.token,
    });
    expect(deleted.status).toBeLessThan(300);

    await waitFor(
      async () => valueOf(await client.getSimulationStatus({ simulationId: id, userId: user.id })).status === 'stopped',
      15_000,
      'the run to stop',
    );
  });

  it('stops its runs in progress on stop, announcing them as stopped', async () => {
    const projectId = await aProject();
    const id = await startOver(projectId, 600);

    await simulation.stop();

    await waitFor(() => completions.some((event) => event.simulation_id === id), 5_000, 'the completion of the run in progress');
    expect(completions.find((event) => event.simulation_id === id)).toMatchObject({ status: 'stopped', project_id: projectId });
  });
});
