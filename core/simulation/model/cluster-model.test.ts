import { describe, expect, it } from 'vitest';
import { aConfig, mean, runModel } from '../../../test-support/core/series-builders.js';
import { LATENCY_CAP_FACTOR } from './queueing.js';

/** One service, steady load, nothing failing and no autoscaler: the queueing physics alone. */
const steady = (requestRate: number, extra: Record<string, string> = {}) =>
  aConfig({
    services: '1',
    replicas_per_service: '4',
    pod_capacity_rps: '100',
    base_latency_ms: '20',
    load_profile: 'constant',
    request_rate: String(requestRate),
    node_failure_rate: '0',
    autoscaling: 'false',
    ...extra,
  });

describe('cluster model', () => {
  it('gives the same series for the same seed and configuration', () => {
    const config = aConfig({ node_failure_rate: '0.02', node_recovery_seconds: '20' });

    expect(runModel(config, 600, 99)).toEqual(runModel(config, 600, 99));
  });

  it('gives a different series for another seed when failures are drawn', () => {
    const config = aConfig({ node_failure_rate: '0.02', node_recovery_seconds: '20' });

    expect(runModel(config, 600, 1)).not.toEqual(runModel(config, 600, 2));
  });

  it('describes every step with the specification fields, steps counting from 1', () => {
    const series = runModel(aConfig(), 3);

    expect(series.map((s) => s.simulation_step)).toEqual([1, 2, 3]);
    expect(series.map((s) => s.timestamp)).toEqual([1000, 2000, 3000]);
    expect(Object.keys(series[0]!).sort()).toEqual([
      'avg_latency',
      'cpu_total',
      'error_rate',
      'memory_total',
      'network_in',
      'network_out',
      'nodes_active',
      'nodes_failed',
      'pods_running',
      'requests_per_sec',
      'services_healthy',
      'simulation_step',
      'timestamp',
    ]);
  });

  it('raises latency as utilisation rises, as M/M/1 queueing does', () => {
    const latencyAt = (rate: number) => runModel(steady(rate), 5).at(-1)!.avg_latency;

    expect(latencyAt(100)).toBeCloseTo(20 / (1 - 0.25), 2);
    expect(latencyAt(100)).toBeLessThan(latencyAt(200));
    expect(latencyAt(200)).toBeLessThan(latencyAt(300));
    expect(latencyAt(300)).toBeLessThan(latencyAt(380));
  });

  it('caps latency at 50x base once utilisation passes 98%', () => {
    const last = runModel(steady(399), 5).at(-1)!;

    expect(last.avg_latency).toBe(20 * LATENCY_CAP_FACTOR);
  });

  it('serves everything without errors well under capacity', () => {
    const series = runModel(steady(200), 30);

    expect(series.every((s) => s.error_rate === 0)).toBe(true);
    expect(series.every((s) => s.requests_per_sec === 200)).toBe(true);
    expect(series.at(-1)!.services_healthy).toBe(1);
  });

  it('drops the load above capacity as errors', () => {
    const last = runModel(steady(600), 30).at(-1)!;

    expect(last.requests_per_sec).toBe(400);
    expect(last.error_rate).toBeCloseTo(200 / 600, 5);
    expect(last.services_healthy).toBe(0);
  });

  it('leaves pods that fit on no node pending', () => {
    const config = aConfig({
      nodes: '1',
      node_cpu_cores: '2',
      services: '1',
      replicas_per_service: '6',
      pod_cpu_millicores: '500',
      node_failure_rate: '0',
      autoscaling: 'false',
    });

    expect(runModel(config, 10).at(-1)!.pods_running).toBe(4);
  });

  it('reports CPU and memory in use growing with load', () => {
    const idle = runModel(steady(40), 5).at(-1)!;
    const busy = runModel(steady(360), 5).at(-1)!;

    expect(busy.cpu_total).toBeGreaterThan(idle.cpu_total);
    expect(busy.memory_total).toBeGreaterThan(idle.memory_total);
    expect(busy.cpu_total).toBeLessThanOrEqual((4 * 500) / 1000);
    expect(busy.network_out).toBeGreaterThan(idle.network_out);
  });

  it('follows the load profile: a ramp ends at the peak, a spike peaks in the middle fifth only', () => {
    const ramp = runModel(aConfig({ load_profile: 'ramp', request_rate: '100', peak_request_rate: '300', node_failure_rate: '0' }), 101);
    const spike = runModel(
      aConfig({
        load_profile: 'spike',
        request_rate: '100',
        peak_request_rate: '300',
        node_failure_rate: '0',
        max_replicas_per_service: '20',
      }),
      101,
    );
    const offered = (s: { network_in: number }) => s.network_in / 1200;

    expect(offered(ramp[0]!)).toBe(100);
    expect(offered(ramp.at(-1)!)).toBe(300);
    expect(offered(spike[30]!)).toBe(100);
    expect(offered(spike[50]!)).toBe(300);
    expect(offered(spike[70]!)).toBe(100);
  });
});

describe('cluster model with node failures', () => {
  const failing = aConfig({
    nodes: '4',
    services: '2',
    replicas_per_service: '2',
    node_failure_rate: '0.05',
    node_recovery_seconds: '15',
    load_profile: 'constant',
    request_rate: '100',
    autoscaling: 'false',
  });

  it('fails nodes and brings each back after the recovery time', () => {
    const series = runModel(failing, 400, 7);
    const firstFailure = series.findIndex((s) => s.nodes_failed > 0);

    expect(firstFailure).toBeGreaterThanOrEqual(0);
    // The first failed node is back 15 steps later, unless another one failed meanwhile.
    const recovered = series.slice(firstFailure).findIndex((s) => s.nodes_failed === 0);
    expect(recovered).toBeGreaterThanOrEqual(15);
    expect(series.some((s, i) => i > firstFailure && s.nodes_active === 4)).toBe(true);
    expect(series.every((s) => s.nodes_active + s.nodes_failed === 4)).toBe(true);
  });

  it('loses the pods of a failed node, then runs them again elsewhere', () => {
    const series = runModel(failing, 400, 7);
    const dropped = series.findIndex((s) => s.pods_running < 4);

    expect(dropped).toBeGreaterThanOrEqual(0);
    expect(series.slice(dropped).some((s) => s.pods_running === 4)).toBe(true);
  });

  it('counts requests in flight on a failing node as errors', () => {
    const series = runModel(failing, 400, 7);
    const podsLost = series.filter(
      (s, i) => i > 0 && s.nodes_failed > series[i - 1]!.nodes_failed && s.pods_running < series[i - 1]!.pods_running,
    );

    expect(podsLost.length).toBeGreaterThan(0);
    expect(podsLost.every((s) => s.error_rate > 0)).toBe(true);
  });

  it('never fails a node when the failure rate is 0', () => {
    expect(runModel(aConfig({ node_failure_rate: '0' }), 2_000).every((s) => s.nodes_failed === 0)).toBe(true);
  });
});

describe('cluster model with autoscaling', () => {
  const underLoad = (autoscaling: boolean) =>
    aConfig({
      nodes: '4',
      services: '2',
      replicas_per_service: '2',
      max_replicas_per_service: '12',
      load_profile: 'ramp',
      request_rate: '200',
      peak_request_rate: '1200',
      node_failure_rate: '0.001',
      autoscaling: String(autoscaling),
    });

  it('adds pods as the load grows', () => {
    const series = runModel(underLoad(true), 600, 3);

    expect(series[0]!.pods_running).toBe(4);
    expect(series.at(-1)!.pods_running).toBeGreaterThan(10);
  });

  it('keeps the error rate lower than the same run without it', () => {
    const withScaling = mean(runModel(underLoad(true), 600, 3).map((s) => s.error_rate));
    const without = mean(runModel(underLoad(false), 600, 3).map((s) => s.error_rate));

    expect(without).toBeGreaterThan(0.2);
    expect(withScaling).toBeLessThan(without / 4);
  });

  it('never runs more than max_replicas_per_service per service', () => {
    const config = aConfig({
      services: '1',
      max_replicas_per_service: '5',
      request_rate: '2000',
      peak_request_rate: '2000',
      node_failure_rate: '0',
    });

    expect(Math.max(...runModel(config, 300).map((s) => s.pods_running))).toBe(5);
  });

  it('never places more pods than the cluster holds', () => {
    const config = aConfig({
      nodes: '1',
      node_cpu_cores: '2',
      services: '1',
      max_replicas_per_service: '50',
      request_rate: '3000',
      peak_request_rate: '3000',
      node_failure_rate: '0',
    });

    expect(Math.max(...runModel(config, 300).map((s) => s.pods_running))).toBe(4);
  });

  it('scales back down once the load falls', () => {
    const config = aConfig({ load_profile: 'spike', request_rate: '100', peak_request_rate: '1500', node_failure_rate: '0' });
    const series = runModel(config, 1_000);

    expect(series[500]!.pods_running).toBeGreaterThan(series.at(-1)!.pods_running);
    expect(series.at(-1)!.pods_running).toBe(10);
  });
});
