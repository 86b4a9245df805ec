import type { SimulationConfig } from './configuration.js';
import { POD_STARTUP_SECONDS } from './model/cluster.js';
import { serviceWeights } from './model/load-profile.js';
import { roundTo, type MetricSample } from './model/metric-sample.js';
import { offeredRate } from './summary.js';

export type BottleneckKind = 'cpu_saturation' | 'capacity_exceeded' | 'node_failures' | 'latency_degradation' | 'autoscaler_ceiling';
export type Severity = 'low' | 'medium' | 'high' | 'critical';

export interface Bottleneck {
  readonly kind: BottleneckKind;
  readonly resource: 'cpu' | 'errors' | 'nodes' | 'latency' | 'replicas';
  readonly severity: Severity;
  /** First and last step where the condition held (it may have cleared in between). */
  readonly fromStep: number;
  readonly toStep: number;
  readonly stepsAffected: number;
  /** Timestamp of the first step affected. */
  readonly detectedAt: number;
  /** The worst value seen, in the unit of `threshold`. */
  readonly observedValue: number;
  readonly threshold: number;
  readonly description: string;
}

/** Cluster CPU in use at or above this share of the active nodes' cores is saturated. */
export const CPU_SATURATION_SHARE = 0.85;
/** Error rate above this means the offered load exceeded what was served. */
export const ERROR_RATE_THRESHOLD = 0.01;
/** Mean latency above this multiple of base_latency_ms is degraded. */
export const LATENCY_DEGRADATION_FACTOR = 2;

interface Detector {
  readonly kind: BottleneckKind;
  readonly resource: Bottleneck['resource'];
  readonly threshold: number;
  /**
   * The value compared with the threshold at this sample, or undefined when the condition does not
   * hold. Samples disturbed by node failures are observed by node_failures only: errors and
   * latency then are the failures' doing and are reported with them.
   */
  readonly observe: (sample: MetricSample) => number | undefined;
  readonly describe: (worst: number, from: number, to: number, hits: readonly MetricSample[]) => string;
}

const detectors = (config: SimulationConfig): Detector[] => {
  const latencyLimit = config.baseLatencyMs * LATENCY_DEGRADATION_FACTOR;
  const busiestShare = serviceWeights(config.services)[0]!;
  const overloaded = (s: MetricSample) => s.error_rate > ERROR_RATE_THRESHOLD || s.avg_latency > latencyLimit;
  const cpuShare = (s: MetricSample) => (s.nodes_active === 0 ? 0 : s.cpu_total / (s.nodes_active * config.nodeCpuCores));
  const replicasWanted = (s: MetricSample) =>
    Math.ceil((offeredRate(s) * busiestShare) / (config.podCapacityRps * config.autoscaleTargetCpu));
  return [
    {
      kind: 'cpu_saturation',
      resource: 'cpu',
      threshold: CPU_SATURATION_SHARE,
      observe: (s) => (cpuShare(s) >= CPU_SATURATION_SHARE ? roundTo(cpuShare(s), 3) : undefined),
      describe: (worst, from, to) =>
        `Cluster CPU was ${Math.round(worst * 100)}% used at worst between steps ${from} and ${to}: no room for more pods.`,
    },
    {
      kind: 'capacity_exceeded',
      resource: 'errors',
      threshold: ERROR_RATE_THRESHOLD,
      observe: (s) => (s.error_rate > ERROR_RATE_THRESHOLD ? s.error_rate : undefined),
      describe: (worst, from, to) =>
        `Offered load exceeded serving capacity between steps ${from} and ${to}; up to ${roundTo(worst * 100, 1)}% of requests failed.`,
    },
    {
      kind: 'node_failures',
      resource: 'nodes',
      threshold: 0,
      observe: (s) => (s.nodes_failed > 0 ? s.nodes_failed : undefined),
      describe: (worst, from, to, hits) => {
        const errors = hits.reduce((m, s) => Math.max(m, s.error_rate), 0);
        const latency = hits.reduce((m, s) => Math.max(m, s.avg_latency), 0);
        return (
          `Up to ${worst} of ${config.nodes} nodes were down between steps ${from} and ${to}, taking their pods with them; ` +
          `meanwhile up to ${roundTo(errors * 100, 1)}% of requests failed and mean latency reached ${roundTo(latency, 1)} ms.`
        );
      },
    },
    {
      kind: 'latency_degradation',
      resource: 'latency',
      threshold: latencyLimit,
      observe: (s) => (s.avg_latency > latencyLimit ? s.avg_latency : undefined),
      describe: (worst, from, to) =>
        `Mean latency rose above ${latencyLimit} ms (2x base) between steps ${from} and ${to}, up to ${roundTo(worst, 1)} ms.`,
    },
    {
      kind: 'autoscaler_ceiling',
      resource: 'replicas',
      threshold: config.maxReplicasPerService,
      observe: (s) =>
        config.autoscaling && overloaded(s) && replicasWanted(s) > config.maxReplicasPerService ? replicasWanted(s) : undefined,
      describe: (worst, from, to) =>
        `The busiest service needed up to ${worst} replicas between steps ${from} and ${to}, above max_replicas_per_service (${config.maxReplicasPerService}).`,
    },
  ];
};

/** By the share of the series affected: under 5% low, under 20% medium, under 50% high, else critical. */
export const severityFor = (affectedShare: number): Severity =>
  affectedShare < 0.05 ? 'low' : affectedShare < 0.2 ? 'medium' : affectedShare < 0.5 ? 'high' : 'critical';

/**
 * Whether each sample is disturbed by node failures: a node is down, or came back so recently that
 * the pods it lost may still be starting.
 */
const disturbedByFailures = (samples: readonly MetricSample[]): boolean[] => {
  let lastDown = Number.NEGATIVE_INFINITY;
  return samples.map((sample) => {
    if (sample.nodes_failed > 0) lastDown = sample.simulation_step;
    return sample.simulation_step - lastDown <= POD_STARTUP_SECONDS;
  });
};

/** The bottlenecks of a series, at most one per kind, in the order of `BottleneckKind`. */
export const detectBottlenecks = (samples: readonly MetricSample[], config: SimulationConfig): Bottleneck[] => {
  const disturbed = disturbedByFailures(samples);
  return detectors(config).flatMap((detector) => {
    const hits = samples.flatMap((sample, i) => {
      const value = detector.kind === 'node_failures' || !disturbed[i] ? detector.observe(sample) : undefined;
      return value === undefined ? [] : [{ sample, value }];
    });
    const first = hits[0];
    const last = hits[hits.length - 1];
    if (!first || !last) return [];
    const worst = hits.reduce((m, hit) => Math.max(m, hit.value), first.value);
    const from = first.sample.simulation_step;
    const to = last.sample.simulation_step;
    return [
      {
        kind: detector.kind,
        resource: detector.resource,
        severity: severityFor(hits.length / samples.length),
        fromStep: from,
        toStep: to,
        stepsAffected: hits.length,
        detectedAt: first.sample.timestamp,
        observedValue: worst,
        threshold: detector.threshold,
        description: detector.describe(
          worst,
          from,
          to,
          hits.map((hit) => hit.sample),
        ),
      },
    ];
  });
};

export interface SaturationPoint {
  /** What crossed its limit first: mean latency above 2x base, or error rate above 1%. */
  readonly trigger: 'latency' | 'error_rate';
  readonly simulationStep: number;
  readonly reachedAt: number;
  readonly offeredRps: number;
  readonly servedRps: number;
  /** Served / capacity of the running pods, 0..1. */
  readonly utilization: number;
  readonly avgLatency: number;
  readonly errorRate: number;
}

/**
 * The load at which latency first exceeded 2x base and at which errors first exceeded 1% (each if
 * reached), away from node failures: saturation by load, not by failures.
 */
export const findSaturationPoints = (samples: readonly MetricSample[], config: SimulationConfig): SaturationPoint[] => {
  const latencyLimit = config.baseLatencyMs * LATENCY_DEGRADATION_FACTOR;
  const triggers = [
    { trigger: 'latency' as const, reached: (s: MetricSample) => s.avg_latency > latencyLimit },
    { trigger: 'error_rate' as const, reached: (s: MetricSample) => s.error_rate > ERROR_RATE_THRESHOLD },
  ];
  const disturbed = disturbedByFailures(samples);
  return triggers.flatMap(({ trigger, reached }) => {
    const sample = samples.find((s, i) => !disturbed[i] && reached(s));
    if (!sample) return [];
    const capacity = sample.pods_running * config.podCapacityRps;
    return [
      {
        trigger,
        simulationStep: sample.simulation_step,
        reachedAt: sample.timestamp,
        offeredRps: roundTo(offeredRate(sample), 2),
        servedRps: sample.requests_per_sec,
        utilization: capacity > 0 ? roundTo(Math.min(1, sample.requests_per_sec / capacity), 4) : 1,
        avgLatency: sample.avg_latency,
        errorRate: sample.error_rate,
      },
    ];
  });
};
