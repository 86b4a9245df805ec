import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Streams } from '../../core/messaging/channels.js';
import { METRIC_FIELDS } from '../../core/simulation/index.js';
import { waitFor } from '../messaging/wait.js';
import { valueOf } from '../simulation/builders.js';
import { startSimulationGrpcFixture, type SimulationGrpcFixture } from './simulation-grpc-fixture.js';

/** A real-time run from StartSimulation to its analysis, in real time on the setInterval scheduler. */
describe('a simulation run over gRPC', () => {
  let f: SimulationGrpcFixture;

  beforeAll(async () => {
    f = await startSimulationGrpcFixture({ updatesPerSecond: 20 });
  });

  afterAll(async () => {
    await f?.close();
  });

  it('streams 2 s at 20 updates/s to simulation:stream:{id}, then serves its results and analysis', async () => {
    const owner = (await f.aUser()).user.id;
    const project = await f.aProjectOf(owner);
    const started = valueOf(
      await f.client.startSimulation({ userId: owner, projectId: project.id, durationSeconds: 2, enableRealTime: true }),
    );

    await waitFor(
      async () => valueOf(await f.client.getSimulationStatus({ simulationId: started.simulationId, userId: owner })).status === 'completed',
      15_000,
      'the run to complete',
    );

    const entries = await f.streams.range(started.websocketChannel, '-', '+');
    expect(started.websocketChannel).toBe(Streams.simulation(started.simulationId));
    expect(entries).toHaveLength(40);
    for (const entry of entries) {
      expect(Object.keys(entry.fields).sort()).toEqual([...METRIC_FIELDS].sort());
      expect(entry.fields.timestamp).toMatch(/^\d{19}$/);
    }
    expect(entries.map((entry) => Number(entry.fields.simulation_step))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));

    const results = valueOf(
      await f.client.getSimulationResults({ simulationId: started.simulationId, userId: owner, includeSamples: true }),
    );
    expect(results).toMatchObject({ simulationId: started.simulationId, projectId: project.id, status: 'completed', durationSeconds: 2 });
    expect(results.completedAt).toBeGreaterThanOrEqual(started.startedAt);
    expect(results.samples).toHaveLength(40);
    // The proto carries epoch ms where the stream carries ns: the same instant.
    expect(results.samples.map((s) => `${s.timestamp}000000`)).toEqual(entries.map((entry) => entry.fields.timestamp));
    expect(results.samples[0]!.timestamp).toBe(started.startedAt + 50);
    expect(results.finalMetrics).toEqual(results.samples[39]);
    expect(results.summary.samples).toBe(40);

    const analysis = valueOf(await f.client.getPerformanceAnalysis({ simulationId: started.simulationId, userId: owner }));
    expect(analysis.simulationId).toBe(started.simulationId);
    expect(analysis.overallScore).toBeGreaterThan(0);
    expect(analysis.overallScore).toBeLessThanOrEqual(100);
    expect(analysis.summary).toEqual(results.summary);
    expect(analysis.recommendations.length).toBeGreaterThan(0);
    expect(analysis.analyzedAt).toBeGreaterThanOrEqual(results.completedAt);
    expect(f.faults).toEqual([]);
  });
});
