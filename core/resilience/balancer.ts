/** Anything a balancer can choose between: an instance, named by a stable id. */
export interface Balanced {
  readonly id: string;
}

/** Chooses where the next call goes among the candidates it is given (already filtered for health). */
export interface Balancer<T extends Balanced> {
  /** One of `candidates`, or undefined when there are none. */
  pick(candidates: readonly T[]): T | undefined;
}

/** The balancing policies a client can be configured with. */
export type BalancerKind = 'round_robin' | 'p2c_peak_ewma';

export const BalancerKinds: readonly BalancerKind[] = ['round_robin', 'p2c_peak_ewma'];
