import { describe, expect, it } from 'vitest';
import { BuiltInTemplates } from '../project/templates.js';
import {
  configurationToMap,
  DEFAULT_CONFIGURATION_MAP,
  DEFAULT_SIMULATION_CONFIG,
  parseSimulationConfig,
  validateSimulationConfig,
} from './configuration.js';

const violationsOf = (map: Record<string, string>) => validateSimulationConfig(map);
const fieldsOf = (map: Record<string, string>) => violationsOf(map).map((v) => v.field);

describe('parseSimulationConfig', () => {
  it('gives the documented defaults for an empty map', () => {
    expect(parseSimulationConfig({})).toEqual({
      ok: true,
      value: {
        nodes: 3,
        nodeCpuCores: 4,
        nodeMemoryGb: 16,
        services: 5,
        replicasPerService: 2,
        podCpuMillicores: 500,
        podMemoryMb: 512,
        podCapacityRps: 100,
        baseLatencyMs: 20,
        loadProfile: 'ramp',
        requestRate: 300,
        peakRequestRate: 1500,
        nodeFailureRate: 0.002,
        nodeRecoverySeconds: 60,
        autoscaling: true,
        autoscaleTargetCpu: 0.7,
        maxReplicasPerService: 10,
      },
    });
  });

  it('reads every key, trimming the values', () => {
    const parsed = parseSimulationConfig({
      nodes: ' 8 ',
      node_cpu_cores: '2.5',
      node_memory_gb: '8',
      services: '3',
      replicas_per_service: '1',
      pod_cpu_millicores: '250',
      pod_memory_mb: '256',
      pod_capacity_rps: '50.5',
      base_latency_ms: '12',
      load_profile: 'diurnal',
      request_rate: '10',
      peak_request_rate: '90',
      node_failure_rate: '0',
      node_recovery_seconds: '30',
      autoscaling: 'FALSE',
      autoscale_target_cpu: '0.5',
      max_replicas_per_service: '4',
      seed: '12345',
    });

    expect(parsed.ok && parsed.value).toEqual({
      nodes: 8,
      nodeCpuCores: 2.5,
      nodeMemoryGb: 8,
      services: 3,
      replicasPerService: 1,
      podCpuMillicores: 250,
      podMemoryMb: 256,
      podCapacityRps: 50.5,
      baseLatencyMs: 12,
      loadProfile: 'diurnal',
      requestRate: 10,
      peakRequestRate: 90,
      nodeFailureRate: 0,
      nodeRecoverySeconds: 30,
      autoscaling: false,
      autoscaleTargetCpu: 0.5,
      maxReplicasPerService: 4,
      seed: 12345,
    });
  });

  it('refuses an invalid map with every violation, never throwing', () => {
    const parsed = parseSimulationConfig({ nodes: '0', load_profile: 'bursty', replicas: '3' });

    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toMatchObject({ kind: 'invalid', code: 'invalid_configuration' });
    expect(parsed.error.violations).toEqual([
      { field: 'replicas', message: 'is not a known configuration key' },
      { field: 'nodes', message: 'must be an integer from 1 to 500' },
      { field: 'load_profile', message: 'must be one of constant, ramp, spike, diurnal' },
    ]);
  });

  it.each([
    ['nodes', '501'],
    ['nodes', '2.5'],
    ['nodes', 'three'],
    ['nodes', ''],
    ['node_cpu_cores', '0.4'],
    ['node_memory_gb', '4096'],
    ['services', '201'],
    ['replicas_per_service', '0'],
    ['pod_cpu_millicores', '5'],
    ['pod_memory_mb', '8'],
    ['pod_capacity_rps', '0'],
    ['base_latency_ms', '-1'],
    ['request_rate', '-5'],
    ['request_rate', 'NaN'],
    ['node_failure_rate', '1.5'],
    ['node_recovery_seconds', '0'],
    ['autoscaling', 'yes'],
    ['autoscale_target_cpu', '0.99'],
    ['max_replicas_per_service', '0'],
    ['seed', '-1'],
    ['seed', '1e3'],
    ['request_rate', 'Infinity'],
  ])('refuses %s = %j', (field, value) => {
    expect(fieldsOf({ [field]: value })).toContain(field);
  });

  it('refuses a peak below the base rate', () => {
    expect(violationsOf({ request_rate: '500', peak_request_rate: '400' })).toEqual([
      { field: 'peak_request_rate', message: 'must be at least request_rate' },
    ]);
  });

  it('lifts an absent peak to the base rate when the base is above the default peak', () => {
    const parsed = parseSimulationConfig({ request_rate: '2000' });

    expect(parsed.ok && parsed.value.peakRequestRate).toBe(2000);
  });

  it('refuses an autoscaler ceiling below the initial replicas, and lifts an absent one', () => {
    expect(fieldsOf({ replicas_per_service: '4', max_replicas_per_service: '3' })).toEqual(['max_replicas_per_service']);
    const parsed = parseSimulationConfig({ replicas_per_service: '20' });
    expect(parsed.ok && parsed.value.maxReplicasPerService).toBe(20);
  });

  it('refuses a pod larger than a node', () => {
    expect(fieldsOf({ node_cpu_cores: '1', pod_cpu_millicores: '1500' })).toEqual(['pod_cpu_millicores']);
    expect(fieldsOf({ node_memory_gb: '1', pod_memory_mb: '2048' })).toEqual(['pod_memory_mb']);
  });

  it('does not add a cross-field violation on top of an invalid field', () => {
    expect(fieldsOf({ request_rate: 'lots', peak_request_rate: '10' })).toEqual(['request_rate']);
  });
});

describe('the shared configuration contract', () => {
  it('accepts the wire defaults and every built-in project template', () => {
    expect(validateSimulationConfig(DEFAULT_CONFIGURATION_MAP)).toEqual([]);
    for (const template of BuiltInTemplates)
      expect([template.id, validateSimulationConfig(template.configuration)]).toEqual([template.id, []]);
  });

  it('writes a configuration back to a map that parses to the same configuration', () => {
    const config = { ...DEFAULT_SIMULATION_CONFIG, nodes: 7, loadProfile: 'spike' as const, autoscaling: false, seed: 99 };

    expect(parseSimulationConfig(configurationToMap(config))).toEqual({ ok: true, value: config });
  });
});
