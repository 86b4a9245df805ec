import type { Balanced, Balancer } from './balancer.js';

/**
 * Round-robin by instance id: each pick is the next id after the last one picked, wrapping
 * around. Keyed by id rather than position, it stays fair while instances come and go: a new or
 * vanished instance neither restarts the cycle nor makes it skip or repeat the others.
 */
export class RoundRobinBalancer<T extends Balanced> implements Balancer<T> {
  private last: string | undefined;

  pick(candidates: readonly T[]): T | undefined {
    let next: T | undefined;
    let first: T | undefined;
    for (const candidate of candidates) {
      if (first === undefined || candidate.id < first.id) first = candidate;
      if (this.last !== undefined && candidate.id > this.last && (next === undefined || candidate.id < next.id)) {
        next = candidate;
      }
    }
    const chosen = next ?? first;
    if (chosen) this.last = chosen.id;
    return chosen;
  }
}
