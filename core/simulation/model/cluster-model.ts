import type { SimulationConfig } from '../configuration.js';
import { Autoscaler } from './autoscaler.js';
import { Cluster, POD_STARTUP_SECONDS } from './cluster.js';
import { offeredLoad, serviceWeights } from './load-profile.js';
import { roundTo, type MetricSample } from './metric-sample.js';
import { mulberry32, type Prng } from './prng.js';
import { LATENCY_CAP_FACTOR, queueingLatency } from './queueing.js';

/** Bytes received per offered request. */
export const REQUEST_BYTES = 1_200;
/** Bytes sent per served request. */
export const RESPONSE_BYTES = 4_800;
/** Bytes sent per failed request (an error reply). */
export const ERROR_RESPONSE_BYTES = 200;
/** A service is healthy while its error rate stays under this. */
export const HEALTHY_ERROR_RATE = 0.05;
/** Share of its CPU request an idle running pod uses; the rest grows with utilisation. */
const IDLE_CPU_SHARE = 0.05;
/** Share of its memory request an idle pod uses; the rest grows with utilisation. */
const IDLE_MEMORY_SHARE = 0.6;

export interface ClusterModelOptions {
  /** Steps of the whole run: the load profile spans them. */
  readonly totalSteps: number;
  readonly seed: number;
}

/** A deterministic, discrete-time model of the configured cluster; one step is one simulated second. */
export interface ClusterModel {
  /** Steps taken so far (the `simulation_step` of the last sample). */
  readonly stepsTaken: number;
  readonly totalSteps: number;
  /** Advances one simulated second and describes it; `timestamp` is stamped on the sample as given. */
  step(timestamp: number): MetricSample;
}

interface ServiceTraffic {
  readonly offered: number;
  readonly served: number;
  readonly lost: number;
  readonly utilisation: number;
  /** Offered / capacity: what the pods' CPU would show if they could take it all (may exceed 1). */
  readonly demand: number;
  readonly latencyMs: number;
}

export const createClusterModel = (config: SimulationConfig, options: ClusterModelOptions): ClusterModel => {
  const cluster = new Cluster(config);
  const autoscaler = new Autoscaler(config);
  const weights = serviceWeights(config.services);
  const prng = mulberry32(options.seed);
  let previous: readonly ServiceTraffic[] = weights.map(() => ({
    offered: 0,
    served: 0,
    lost: 0,
    utilisation: 0,
    demand: 0,
    latencyMs: config.baseLatencyMs,
  }));
  let stepsTaken = 0;

  const step = (timestamp: number): MetricSample => {
    const current = stepsTaken + 1;
    cluster.recoverNodes(current);
    const lostInFlight = failNodes(cluster, prng, config, current, previous);
    if (config.autoscaling)
      autoscaler.scale(
        cluster,
        previous.map((s) => s.demand),
        current,
      );
    cluster.placePending(current, POD_STARTUP_SECONDS);
    cluster.promoteReady(current);
    const offered = offeredLoad(config.loadProfile, config.requestRate, config.peakRequestRate, current, options.totalSteps);
    const traffic = weights.map((weight, service) =>
      serve(config, cluster.services[service]!.running, offered * weight, lostInFlight[service]!),
    );
    previous = traffic;
    stepsTaken = current;
    return describe(config, cluster, traffic, timestamp, current);
  };

  return {
    get stepsTaken() {
      return stepsTaken;
    },
    totalSteps: options.totalSteps,
    step,
  };
};

/**
 * Each healthy node fails with probability node_failure_rate (one draw per healthy node, in node
 * order). Requests in flight on its running pods are lost: by Little's law, arrival rate per pod
 * × response time, from the previous step.
 */
const failNodes = (cluster: Cluster, prng: Prng, config: SimulationConfig, step: number, previous: readonly ServiceTraffic[]): number[] => {
  const lost = previous.map(() => 0);
  const runningBefore = cluster.services.map((pods) => pods.running);
  for (const node of cluster.healthyNodeIndexes()) {
    if (prng.next() >= config.nodeFailureRate) continue;
    for (const service of cluster.failNode(node, step + config.nodeRecoverySeconds)) {
      const traffic = previous[service]!;
      const perPod = traffic.served / Math.max(1, runningBefore[service]!);
      lost[service]! += perPod * (traffic.latencyMs / 1000);
    }
  }
  return lost;
};

const serve = (config: SimulationConfig, running: number, offered: number, lost: number): ServiceTraffic => {
  const capacity = running * config.podCapacityRps;
  const served = Math.min(offered, capacity);
  const utilisation = capacity > 0 ? served / capacity : offered > 0 ? 1 : 0;
  const demand = capacity > 0 ? offered / capacity : 0;
  return { offered, served, lost, utilisation, demand, latencyMs: queueingLatency(config.baseLatencyMs, utilisation) };
};

const describe = (
  config: SimulationConfig,
  cluster: Cluster,
  traffic: readonly ServiceTraffic[],
  timestamp: number,
  step: number,
): MetricSample => {
  let offered = 0,
    lost = 0,
    served = 0,
    failed = 0,
    latencyWeighted = 0,
    cpuMillis = 0,
    memoryMb = 0,
    healthy = 0;
  traffic.forEach((service, index) => {
    const pods = cluster.services[index]!;
    const errors = service.offered - service.served + service.lost;
    const errorRate = errors > 0 ? errors / (service.offered + service.lost) : 0;
    if (pods.running > 0 && errorRate < HEALTHY_ERROR_RATE) healthy += 1;
    offered += service.offered;
    lost += service.lost;
    served += service.served;
    failed += errors;
    latencyWeighted += service.served * service.latencyMs;
    cpuMillis += pods.running * config.podCpuMillicores * (IDLE_CPU_SHARE + (1 - IDLE_CPU_SHARE) * service.utilisation);
    memoryMb += pods.running * config.podMemoryMb * (IDLE_MEMORY_SHARE + (1 - IDLE_MEMORY_SHARE) * service.utilisation);
    memoryMb += pods.starting * config.podMemoryMb * IDLE_MEMORY_SHARE;
  });
  const idleLatency = offered > 0 ? config.baseLatencyMs * LATENCY_CAP_FACTOR : config.baseLatencyMs;
  return {
    timestamp,
    nodes_active: cluster.healthyNodes,
    nodes_failed: cluster.failedNodes,
    pods_running: cluster.runningPods,
    services_healthy: healthy,
    cpu_total: roundTo(cpuMillis / 1000, 3),
    memory_total: roundTo(memoryMb / 1024, 3),
    network_in: Math.round(offered * REQUEST_BYTES),
    network_out: Math.round(served * RESPONSE_BYTES + failed * ERROR_RESPONSE_BYTES),
    requests_per_sec: roundTo(served, 2),
    avg_latency: roundTo(served > 0 ? latencyWeighted / served : idleLatency, 3),
    error_rate: roundTo(failed > 0 ? failed / (offered + lost) : 0, 6),
    simulation_step: step,
  };
};
