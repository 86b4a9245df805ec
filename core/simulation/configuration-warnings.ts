import type { SimulationConfig } from './configuration.js';
import { serviceWeights } from './model/load-profile.js';

/** Pods of one size that fit on one node. */
export const podsPerNode = (config: SimulationConfig): number =>
  Math.min(
    Math.floor((config.nodeCpuCores * 1000) / config.podCpuMillicores),
    Math.floor((config.nodeMemoryGb * 1024) / config.podMemoryMb),
  );

/**
 * Valid but probably unintended settings, as sentences: pods that will never be placed, and a peak
 * load no allowed number of replicas can serve.
 */
export const configurationWarnings = (config: SimulationConfig): string[] => {
  const warnings: string[] = [];
  const slots = podsPerNode(config) * config.nodes;
  const initialPods = config.services * config.replicasPerService;
  if (initialPods > slots) {
    warnings.push(`${initialPods - slots} of ${initialPods} initial pods do not fit on ${config.nodes} nodes and will stay pending.`);
  }
  const ceiling = config.autoscaling ? config.maxReplicasPerService : config.replicasPerService;
  const busiest = config.peakRequestRate * serviceWeights(config.services)[0]!;
  if (busiest > ceiling * config.podCapacityRps) {
    warnings.push(
      `At peak the busiest service gets ${Math.round(busiest)} req/s but ${ceiling} replicas serve at most ${ceiling * config.podCapacityRps}: expect errors.`,
    );
  }
  if (config.autoscaling && config.services * config.maxReplicasPerService > slots) {
    warnings.push(
      `The cluster fits ${slots} pods, fewer than services x max_replicas_per_service (${config.services * config.maxReplicasPerService}).`,
    );
  }
  return warnings;
};
