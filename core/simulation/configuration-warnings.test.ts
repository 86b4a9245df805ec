import { describe, expect, it } from 'vitest';
import { configurationWarnings } from './configuration-warnings.js';
import { aConfig } from '../../test-support/core/series-builders.js';

describe('configurationWarnings', () => {
  it('has nothing to say about a configuration that fits', () => {
    expect(configurationWarnings(aConfig({ nodes: '7', peak_request_rate: '1000' }))).toEqual([]);
  });

  it('warns of initial pods that will stay pending', () => {
    expect(
      configurationWarnings(aConfig({ nodes: '1', node_cpu_cores: '2', services: '3', autoscaling: 'false', peak_request_rate: '300' })),
    ).toEqual(['2 of 6 initial pods do not fit on 1 nodes and will stay pending.']);
  });

  it('warns of a peak that no allowed replica count can serve', () => {
    const warnings = configurationWarnings(
      aConfig({ nodes: '20', services: '1', request_rate: '100', peak_request_rate: '2000', max_replicas_per_service: '10' }),
    );

    expect(warnings).toEqual(['At peak the busiest service gets 2000 req/s but 10 replicas serve at most 1000: expect errors.']);
  });

  it('warns when the autoscaler ceiling is more than the cluster holds', () => {
    expect(configurationWarnings(aConfig({ nodes: '3', max_replicas_per_service: '10', peak_request_rate: '1000' }))).toEqual([
      'The cluster fits 24 pods, fewer than services x max_replicas_per_service (50).',
    ]);
  });
});
