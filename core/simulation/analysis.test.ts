import { describe, expect, it } from 'vitest';
import { analyzePerformance } from './analysis.js';
import { aConfig, aSample, runModel } from '../../test-support/core/series-builders.js';

const kinds = (analysis: ReturnType<typeof analyzePerformance>) => analysis.bottlenecks.map((b) => b.kind);

describe('analyzePerformance', () => {
  it('finds nothing wrong with a cluster well within its means', () => {
    const config = aConfig({
      services: '1',
      replicas_per_service: '4',
      load_profile: 'constant',
      request_rate: '100',
      node_failure_rate: '0',
      autoscaling: 'false',
    });
    const analysis = analyzePerformance(runModel(config, 300), config);

    expect(analysis.bottlenecks).toEqual([]);
    expect(analysis.saturationPoints).toEqual([]);
    expect(analysis.overallScore).toBe(100);
    expect(analysis.recommendations).toEqual(['No action needed: the cluster served a peak of 100 req/s at 100% availability.']);
  });

  it('reports capacity exceeded, the saturation points, and advises replicas when autoscaling is off', () => {
    const config = aConfig({
      services: '1',
      load_profile: 'ramp',
      request_rate: '50',
      peak_request_rate: '400',
      node_failure_rate: '0',
      autoscaling: 'false',
    });
    const analysis = analyzePerformance(runModel(config, 400), config);

    expect(kinds(analysis)).toEqual(['capacity_exceeded', 'latency_degradation']);
    const [latency, errors] = analysis.saturationPoints;
    expect(latency).toMatchObject({ trigger: 'latency' });
    expect(latency!.offeredRps).toBeGreaterThan(100);
    expect(latency!.offeredRps).toBeLessThan(102);
    expect(errors).toMatchObject({ trigger: 'error_rate' });
    expect(errors!.offeredRps).toBeGreaterThan(200);
    expect(errors!.offeredRps).toBeLessThan(203);
    expect(analysis.recommendations[0]).toBe(
      'Enable autoscaling, or run at least 8 replicas of the busiest service (replicas_per_service) for a peak of 400 req/s.',
    );
    expect(analysis.overallScore).toBeLessThan(50);
  });

  it('names the autoscaler ceiling and the ceiling to raise it to', () => {
    const config = aConfig({
      services: '1',
      load_profile: 'constant',
      request_rate: '800',
      nodes: '10',
      max_replicas_per_service: '4',
      node_failure_rate: '0',
    });
    const analysis = analyzePerformance(runModel(config, 200), config);
    const ceiling = analysis.bottlenecks.find((b) => b.kind === 'autoscaler_ceiling');

    expect(ceiling).toMatchObject({
      resource: 'replicas',
      threshold: 4,
      observedValue: 12,
      fromStep: 1,
      toStep: 200,
      severity: 'critical',
    });
    expect(analysis.recommendations).toContain('Raise max_replicas_per_service from 4 to at least 12.');
  });

  it('reports CPU saturation and advises more nodes when the cluster is full', () => {
    const config = aConfig({
      nodes: '2',
      node_cpu_cores: '2',
      services: '2',
      load_profile: 'constant',
      request_rate: '1000',
      max_replicas_per_service: '20',
      node_failure_rate: '0',
    });
    const analysis = analyzePerformance(runModel(config, 200), config);

    expect(kinds(analysis)).toContain('cpu_saturation');
    expect(analysis.recommendations.some((r) => r.startsWith('Add nodes: about 5 nodes of 2 cores (now 2)'))).toBe(true);
  });

  it('attributes errors while nodes are down to the failures, with their step range', () => {
    const config = aConfig({
      nodes: '2',
      services: '1',
      load_profile: 'constant',
      request_rate: '90',
      node_failure_rate: '0.01',
      node_recovery_seconds: '30',
      autoscaling: 'false',
    });
    const series = runModel(config, 1_000, 5);
    const analysis = analyzePerformance(series, config);
    const failures = analysis.bottlenecks.find((b) => b.kind === 'node_failures')!;
    const down = series.filter((s) => s.nodes_failed > 0);

    expect(failures).toMatchObject({
      resource: 'nodes',
      fromStep: down[0]!.simulation_step,
      toStep: down.at(-1)!.simulation_step,
      stepsAffected: down.length,
    });
    expect(failures.description).toMatch(/^Up to \d of 2 nodes were down between steps \d+ and \d+/);
    expect(kinds(analysis)).not.toContain('capacity_exceeded');
    expect(analysis.recommendations).toContain(
      'Node failures took capacity away: keep room for one more node than the load needs (N+1) and at least 2 replicas per service.',
    );
  });

  it('advises a lower autoscaling target when latency alone degrades', () => {
    const config = aConfig({
      services: '1',
      load_profile: 'constant',
      request_rate: '700',
      replicas_per_service: '8',
      autoscale_target_cpu: '0.8',
      max_replicas_per_service: '20',
      node_failure_rate: '0',
    });
    const analysis = analyzePerformance(runModel(config, 300), config);

    expect(kinds(analysis)).toEqual(['latency_degradation']);
    expect(analysis.recommendations).toEqual([
      'Lower autoscale_target_cpu from 0.8 to 0.5: queueing latency grows as 1/(1 - utilisation).',
    ]);
  });

  it('advises more initial replicas when the autoscaler lags behind the load', () => {
    const config = aConfig({ services: '1', load_profile: 'constant', request_rate: '700', node_failure_rate: '0' });
    const analysis = analyzePerformance(runModel(config, 300), config);

    expect(kinds(analysis)).toContain('capacity_exceeded');
    expect(analysis.recommendations).toContain(
      'Start with more replicas (replicas_per_service=10): the autoscaler lags behind a fast-growing load.',
    );
  });

  it('grades severity by the share of the run affected', () => {
    const config = aConfig({ base_latency_ms: '20' });
    const series = Array.from({ length: 100 }, (_, i) => aSample({ simulation_step: i + 1, avg_latency: i < 10 ? 100 : 20 }));

    expect(analyzePerformance(series, config).bottlenecks).toEqual([
      expect.objectContaining({
        kind: 'latency_degradation',
        severity: 'medium',
        fromStep: 1,
        toStep: 10,
        stepsAffected: 10,
        observedValue: 100,
        threshold: 40,
      }),
    ]);
  });

  it('is deterministic', () => {
    const config = aConfig({ node_failure_rate: '0.01' });
    const series = runModel(config, 2_000, 3);

    expect(analyzePerformance(series, config)).toEqual(analyzePerformance(series, config));
  });

  it('analyses an empty series without failing', () => {
    expect(analyzePerformance([], aConfig())).toMatchObject({ bottlenecks: [], saturationPoints: [], overallScore: 100 });
  });
});
