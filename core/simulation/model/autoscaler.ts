import type { SimulationConfig } from '../configuration.js';
import type { Cluster } from './cluster.js';

/** Steps after a scaling action before the autoscaler may scale the same service up again. */
export const SCALE_UP_COOLDOWN_STEPS = 5;
/** Steps after a scaling action before it may scale the service down (HPA's stabilisation window). */
export const SCALE_DOWN_COOLDOWN_STEPS = 30;
/** No action while utilisation / target is within this band of 1 (HPA's default tolerance). */
export const SCALE_TOLERANCE = 0.1;

/**
 * HPA-like scaling of every service from the demand on its running pods in the previous step
 * (offered / capacity, which passes 1 under overload as CPU usage above the request does):
 * desired = ceil(running × demand / target), bounded below by replicas_per_service, above by
 * max_replicas_per_service and by the room left on healthy nodes. Scales down only when no pod of
 * the service is still pending or starting.
 */
export class Autoscaler {
  private readonly lastScaledAt: number[];

  constructor(private readonly config: SimulationConfig) {
    this.lastScaledAt = Array.from({ length: config.services }, () => Number.NEGATIVE_INFINITY);
  }

  scale(cluster: Cluster, demand: readonly number[], step: number): void {
    let room = cluster.freeSlots();
    cluster.services.forEach((pods, service) => {
      const ratio = (demand[service] ?? 0) / this.config.autoscaleTargetCpu;
      if (pods.running === 0 || Math.abs(ratio - 1) <= SCALE_TOLERANCE) return;
      const wanted = Math.ceil(pods.running * ratio - 1e-9);
      const desired = Math.min(Math.max(wanted, this.config.replicasPerService), this.config.maxReplicasPerService);
      const current = pods.ids.length;
      const sinceLast = step - this.lastScaledAt[service]!;
      if (desired > current && sinceLast >= SCALE_UP_COOLDOWN_STEPS) {
        const added = Math.min(desired - current, room);
        if (added === 0) return;
        cluster.addPods(service, added);
        room -= added;
        this.lastScaledAt[service] = step;
      } else if (desired < current && pods.pending + pods.starting === 0 && sinceLast >= SCALE_DOWN_COOLDOWN_STEPS) {
        cluster.removePods(service, current - desired);
        room += current - desired;
        this.lastScaledAt[service] = step;
      }
    });
  }
}
