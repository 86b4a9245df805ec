import type { SimulationConfig } from '../configuration.js';

/** Simulated seconds from a pod being placed on a node to it serving traffic. */
export const POD_STARTUP_SECONDS = 5;

type PodPhase = 'pending' | 'starting' | 'running';

interface Pod {
  readonly id: number;
  readonly service: number;
  node: number | null;
  phase: PodPhase;
  readyAtStep: number;
}

interface Node {
  /** Step at which a failed node is healthy again; null while healthy. */
  failedUntilStep: number | null;
  cpuFree: number;
  memFree: number;
  readonly pods: Set<number>;
}

export interface ServicePods {
  running: number;
  starting: number;
  pending: number;
  /** Pod ids, oldest first. */
  readonly ids: number[];
}

const EPSILON = 1e-9;

/**
 * Nodes and pods of the simulated cluster. Every pod requests the same CPU and memory, so "does the
 * next pending pod fit anywhere" answers the question for all of them. Mutable, and only ever
 * changed by the model in a fixed order, which keeps runs deterministic.
 */
export class Cluster {
  readonly services: ServicePods[];
  private readonly nodes: Node[];
  private readonly pods = new Map<number, Pod>();
  private readonly pending: number[] = [];
  private readonly starting: number[] = [];
  private nextPodId = 0;
  private down = 0;

  constructor(private readonly config: SimulationConfig) {
    this.nodes = Array.from({ length: config.nodes }, () => ({
      failedUntilStep: null,
      cpuFree: config.nodeCpuCores * 1000,
      memFree: config.nodeMemoryGb * 1024,
      pods: new Set<number>(),
    }));
    this.services = Array.from({ length: config.services }, () => ({ running: 0, starting: 0, pending: 0, ids: [] }));
    for (let replica = 0; replica < config.replicasPerService; replica += 1) {
      for (let service = 0; service < config.services; service += 1) this.addPods(service, 1);
    }
    this.placePending(0, 0);
  }

  get healthyNodes(): number {
    return this.nodes.length - this.down;
  }

  get failedNodes(): number {
    return this.down;
  }

  get runningPods(): number {
    return this.services.reduce((sum, s) => sum + s.running, 0);
  }

  replicas(service: number): number {
    const pods = this.services[service];
    return pods ? pods.ids.length : 0;
  }

  /** Pods that could still be placed on healthy nodes once every pending pod is placed. */
  freeSlots(): number {
    const { podCpuMillicores: cpu, podMemoryMb: mem } = this.config;
    let slots = 0;
    for (const node of this.nodes) {
      if (node.failedUntilStep === null)
        slots += Math.min(Math.floor((node.cpuFree + EPSILON) / cpu), Math.floor((node.memFree + EPSILON) / mem));
    }
    return Math.max(0, slots - this.pending.length);
  }

  addPods(service: number, count: number): void {
    for (let i = 0; i < count; i += 1) {
      const pod: Pod = { id: this.nextPodId++, service, node: null, phase: 'pending', readyAtStep: 0 };
      this.pods.set(pod.id, pod);
      this.services[service]!.ids.push(pod.id);
      this.services[service]!.pending += 1;
      this.pending.push(pod.id);
    }
  }

  /** Removes the newest pods of `service`, pending ones first, then starting, then running. */
  removePods(service: number, count: number): void {
    const pods = this.services[service]!;
    for (const phase of ['pending', 'starting', 'running'] as const) {
      for (let i = pods.ids.length - 1; i >= 0 && count > 0; i -= 1) {
        const pod = this.pods.get(pods.ids[i]!)!;
        if (pod.phase !== phase) continue;
        this.unplace(pod);
        this.dropFromQueues(pod);
        pods[phase] -= 1;
        pods.ids.splice(i, 1);
        this.pods.delete(pod.id);
        count -= 1;
      }
    }
  }

  /**
   * Fails a healthy node until `recoverAtStep`: its pods go back to pending. Returns the services
   * of the pods that were running on it (their in-flight requests are lost).
   */
  failNode(index: number, recoverAtStep: number): number[] {
    const node = this.nodes[index]!;
    const lost: number[] = [];
    for (const id of [...node.pods].sort((a, b) => a - b)) {
      const pod = this.pods.get(id)!;
      if (pod.phase === 'running') lost.push(pod.service);
      this.unplace(pod);
      this.dropFromQueues(pod);
      this.services[pod.service]![pod.phase] -= 1;
      pod.phase = 'pending';
      this.services[pod.service]!.pending += 1;
      this.pending.push(pod.id);
    }
    node.failedUntilStep = recoverAtStep;
    this.down += 1;
    return lost;
  }

  /** Indexes of healthy nodes, in order. */
  healthyNodeIndexes(): number[] {
    const healthy: number[] = [];
    for (let i = 0; i < this.nodes.length; i += 1) if (this.nodes[i]!.failedUntilStep === null) healthy.push(i);
    return healthy;
  }

  recoverNodes(step: number): void {
    if (this.down === 0) return;
    for (const node of this.nodes) {
      if (node.failedUntilStep !== null && node.failedUntilStep <= step) {
        node.failedUntilStep = null;
        this.down -= 1;
      }
    }
  }

  /**
   * Places pending pods, oldest first, each on the healthy node with the most free CPU that fits it
   * (spreading them); a placed pod serves from `step + startupSeconds`. Stops at the first pod that
   * fits nowhere: the rest, being the same size, would not fit either.
   */
  placePending(step: number, startupSeconds: number): void {
    while (this.pending.length > 0) {
      const node = this.bestNodeForPod();
      if (node === undefined) return;
      const pod = this.pods.get(this.pending.shift()!)!;
      const target = this.nodes[node]!;
      target.cpuFree -= this.config.podCpuMillicores;
      target.memFree -= this.config.podMemoryMb;
      target.pods.add(pod.id);
      pod.node = node;
      this.services[pod.service]!.pending -= 1;
      if (startupSeconds === 0) {
        pod.phase = 'running';
        this.services[pod.service]!.running += 1;
      } else {
        pod.phase = 'starting';
        pod.readyAtStep = step + startupSeconds;
        this.services[pod.service]!.starting += 1;
        this.starting.push(pod.id);
      }
    }
  }

  /** Starting pods whose start-up time is over begin serving. */
  promoteReady(step: number): void {
    while (this.starting.length > 0 && this.pods.get(this.starting[0]!)!.readyAtStep <= step) {
      const pod = this.pods.get(this.starting.shift()!)!;
      pod.phase = 'running';
      this.services[pod.service]!.starting -= 1;
      this.services[pod.service]!.running += 1;
    }
  }

  private bestNodeForPod(): number | undefined {
    let best: number | undefined;
    this.nodes.forEach((node, index) => {
      const fits =
        node.failedUntilStep === null &&
        node.cpuFree + EPSILON >= this.config.podCpuMillicores &&
        node.memFree + EPSILON >= this.config.podMemoryMb;
      if (fits && (best === undefined || node.cpuFree > this.nodes[best]!.cpuFree)) best = index;
    });
    return best;
  }

  private unplace(pod: Pod): void {
    if (pod.node === null) return;
    const node = this.nodes[pod.node]!;
    node.cpuFree += this.config.podCpuMillicores;
    node.memFree += this.config.podMemoryMb;
    node.pods.delete(pod.id);
    pod.node = null;
  }

  private dropFromQueues(pod: Pod): void {
    const queue = pod.phase === 'pending' ? this.pending : pod.phase === 'starting' ? this.starting : undefined;
    const at = queue?.indexOf(pod.id) ?? -1;
    if (queue && at >= 0) queue.splice(at, 1);
  }
}
