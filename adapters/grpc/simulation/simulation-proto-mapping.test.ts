import { describe, expect, it } from 'vitest';
import { METRIC_FIELDS, type Bottleneck, type SaturationPoint } from '../../../core/simulation/index.js';
import { aMetricSample } from '../../../contract-tests/simulation/builders.js';
import { fromProtoSample, sampleAsMap, toProtoSample } from './metric-sample-proto.js';
import { toProtoBottleneck, toProtoSaturationPoint } from './simulation-proto-mapping.js';

describe('simulation proto mapping', () => {
  it('carries a sample field for field, epoch ms as it is, and back', () => {
    const sample = aMetricSample(7, { timestamp: 1_767_225_600_700, error_rate: 0.125 });

    expect(toProtoSample(sample)).toMatchObject({ timestamp: 1_767_225_600_700, simulationStep: 7, errorRate: 0.125 });
    expect(fromProtoSample(toProtoSample(sample))).toEqual(sample);
  });

  it('gives a sample as a map keyed by the stream field names, and an empty map for none', () => {
    const sample = aMetricSample(3);

    expect(Object.keys(sampleAsMap(sample))).toEqual([...METRIC_FIELDS]);
    expect(sampleAsMap(sample).cpu_total).toBe(sample.cpu_total);
    expect(sampleAsMap(undefined)).toEqual({});
  });

  it("names a bottleneck's kind as its component and its first step as simulation_step", () => {
    const bottleneck: Bottleneck = {
      kind: 'cpu_saturation',
      resource: 'cpu',
      severity: 'high',
      fromStep: 12,
      toStep: 40,
      stepsAffected: 20,
      detectedAt: 1_767_225_601_200,
      observedValue: 0.93,
      threshold: 0.85,
      description: 'CPU was 93% used',
    };

    expect(toProtoBottleneck(bottleneck)).toEqual({
      component: 'cpu_saturation',
      resource: 'cpu',
      severity: 'high',
      description: 'CPU was 93% used',
      observedValue: 0.93,
      threshold: 0.85,
      detectedAt: 1_767_225_601_200,
      simulationStep: 12,
    });
  });

  it('reports a saturation point for the cluster, with the resource that crossed its limit and the offered load', () => {
    const point: SaturationPoint = {
      trigger: 'error_rate',
      simulationStep: 30,
      reachedAt: 1_767_225_603_000,
      offeredRps: 1_200,
      servedRps: 1_000,
      utilization: 1,
      avgLatency: 80,
      errorRate: 0.17,
    };

    expect(toProtoSaturationPoint(point)).toEqual({
      component: 'cluster',
      resource: 'errors',
      requestsPerSec: 1_200,
      utilization: 1,
      avgLatency: 80,
      reachedAt: 1_767_225_603_000,
      simulationStep: 30,
    });
    expect(toProtoSaturationPoint({ ...point, trigger: 'latency' }).resource).toBe('latency');
  });
});
