import type { Balanced, Balancer } from './balancer.js';

/**
 * Power of two choices: picks two distinct candidates at random and takes the one with the lower
 * load (with peak-EWMA load this is Finagle's and Linkerd's default balancer). It avoids a slow
 * instance without the herding of always taking the single least-loaded one.
 */
export class PowerOfTwoChoicesBalancer<T extends Balanced> implements Balancer<T> {
  constructor(
    private readonly loadOf: (candidate: T) => number,
    /** Uniform in [0, 1); injected so tests can choose the pairs. */
    private readonly random: () => number = Math.random,
  ) {}

  pick(candidates: readonly T[]): T | undefined {
    if (candidates.length <= 1) return candidates[0];
    const first = this.index(candidates.length);
    let second = this.index(candidates.length - 1);
    if (second >= first) second += 1;
    const a = candidates[first]!;
    const b = candidates[second]!;
    return this.loadOf(b) < this.loadOf(a) ? b : a;
  }

  private index(size: number): number {
    return Math.min(size - 1, Math.floor(this.random() * size));
  }
}
