import {
  detectBottlenecks,
  findSaturationPoints,
  LATENCY_DEGRADATION_FACTOR,
  type Bottleneck,
  type BottleneckKind,
  type SaturationPoint,
} from './bottlenecks.js';
import type { SimulationConfig } from './configuration.js';
import { podsPerNode } from './configuration-warnings.js';
import { serviceWeights } from './model/load-profile.js';
import { roundTo, type MetricSample } from './model/metric-sample.js';
import { summarizeSeries, type SimulationSummary } from './summary.js';

export interface PerformanceAnalysis {
  readonly summary: SimulationSummary;
  /** 0..100: availability × min(1, latency limit / p95 latency) × 100. */
  readonly overallScore: number;
  readonly bottlenecks: readonly Bottleneck[];
  readonly saturationPoints: readonly SaturationPoint[];
  readonly recommendations: readonly string[];
}

/** Utilisation at which M/M/1 latency is 2x base: the sizing target when autoscaling is off. */
const SIZING_TARGET = 0.5;

/** Summary, bottlenecks, saturation points and advice for a finished or partial series. Pure and deterministic. */
export const analyzePerformance = (samples: readonly MetricSample[], config: SimulationConfig): PerformanceAnalysis => {
  const summary = summarizeSeries(samples);
  const bottlenecks = detectBottlenecks(samples, config);
  const latencyLimit = config.baseLatencyMs * LATENCY_DEGRADATION_FACTOR;
  const latencyFactor = summary.p95_latency > latencyLimit ? latencyLimit / summary.p95_latency : 1;
  return {
    summary,
    overallScore: roundTo(100 * summary.availability * latencyFactor, 1),
    bottlenecks,
    saturationPoints: findSaturationPoints(samples, config),
    recommendations: recommend(config, summary, new Set(bottlenecks.map((b) => b.kind))),
  };
};

interface Sizing {
  readonly busiestReplicas: number;
  readonly nodes: number;
}

/** Pods and nodes that serve `peak` requests/s at the target utilisation, with one spare node. */
const sizeFor = (config: SimulationConfig, peak: number): Sizing => {
  const target = config.autoscaling ? config.autoscaleTargetCpu : SIZING_TARGET;
  const replicas = serviceWeights(config.services).map((w) => Math.max(1, Math.ceil((peak * w) / (config.podCapacityRps * target))));
  const pods = replicas.reduce((a, b) => a + b, 0);
  return { busiestReplicas: replicas[0]!, nodes: Math.ceil(pods / Math.max(1, podsPerNode(config))) + 1 };
};

const recommend = (config: SimulationConfig, summary: SimulationSummary, found: ReadonlySet<BottleneckKind>): string[] => {
  const peak = summary.peak_offered_per_sec;
  const sizing = sizeFor(config, peak);
  const overloaded = found.has('capacity_exceeded') || found.has('latency_degradation');
  const advice: string[] = [];
  if (overloaded && !config.autoscaling && sizing.busiestReplicas > config.replicasPerService) {
    advice.push(
      `Enable autoscaling, or run at least ${sizing.busiestReplicas} replicas of the busiest service (replicas_per_service) for a peak of ${peak} req/s.`,
    );
  }
  if (
    found.has('capacity_exceeded') &&
    config.autoscaling &&
    !found.has('autoscaler_ceiling') &&
    sizing.busiestReplicas > config.replicasPerService
  ) {
    advice.push(
      `Start with more replicas (replicas_per_service=${sizing.busiestReplicas}): the autoscaler lags behind a fast-growing load.`,
    );
  }
  if (found.has('autoscaler_ceiling') && sizing.busiestReplicas > config.maxReplicasPerService) {
    advice.push(`Raise max_replicas_per_service from ${config.maxReplicasPerService} to at least ${sizing.busiestReplicas}.`);
  }
  if ((found.has('cpu_saturation') || overloaded) && sizing.nodes > config.nodes) {
    advice.push(
      `Add nodes: about ${sizing.nodes} nodes of ${config.nodeCpuCores} cores (now ${config.nodes}) fit a peak of ${peak} req/s with one node to spare.`,
    );
  }
  if (found.has('node_failures')) {
    advice.push(
      config.nodes === 1
        ? 'A single node is a single point of failure: run at least 3 nodes.'
        : 'Node failures took capacity away: keep room for one more node than the load needs (N+1) and at least 2 replicas per service.',
    );
  }
  if (found.has('latency_degradation') && !found.has('capacity_exceeded') && config.autoscaling && config.autoscaleTargetCpu > 0.5) {
    advice.push(`Lower autoscale_target_cpu from ${config.autoscaleTargetCpu} to 0.5: queueing latency grows as 1/(1 - utilisation).`);
  }
  if (advice.length === 0 && found.size > 0) advice.push('No single setting explains the bottlenecks found: see their descriptions.');
  if (found.size === 0) {
    advice.push(
      `No action needed: the cluster served a peak of ${summary.peak_requests_per_sec} req/s at ${roundTo(summary.availability * 100, 2)}% availability.`,
    );
  }
  return advice;
};
