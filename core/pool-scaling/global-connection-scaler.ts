/** What the global scaler needs to know of a pool, and the one thing it may ask of it. */
export interface ScalablePool {
  /** Unique among the registered pools (e.g. `auth/instance-1`). */
  readonly id: string;
  /** The target service, which decides the pool's priority. */
  readonly service: string;
  readonly minConnections: number;
  /** Connections the pool holds and has been granted. */
  connectionCount(): number;
  /**
   * Gives up one connection at once for a higher-priority pool: the count drops immediately (the
   * connection drains its calls in the background). The scaler keeps the granted connection
   * counted, now on the requester's behalf; the pool must not `release` it.
   */
  surrender(): void;
}

export type ConnectionGrant =
  | { readonly granted: true; readonly via: 'capacity' }
  | { readonly granted: true; readonly via: 'rebalance'; readonly fromPool: string; readonly fromService: string }
  | { readonly granted: false; readonly reason: 'cap_reached' };

export interface RebalanceCount {
  readonly from: string;
  readonly to: string;
  readonly count: number;
}

export interface GlobalScalerSnapshot {
  readonly totalConnections: number;
  readonly maxTotalConnections: number;
  readonly rebalances: readonly RebalanceCount[];
  /** Requests denied, by requesting service. */
  readonly denials: Readonly<Record<string, number>>;
}

export interface GlobalScalerOptions {
  /** Spec (docs/specification.md#numbers): 1000 per service instance (this process). */
  readonly maxTotalConnections?: number;
  /** Highest priority first; services not listed rank below all of them. */
  readonly priorities?: readonly string[];
}

export const DEFAULT_MAX_TOTAL_CONNECTIONS = 1000;
export const DEFAULT_SERVICE_PRIORITIES: readonly string[] = ['auth', 'project', 'simulation', 'api-gateway'];

/**
 * The specification's GlobalConnectionScaler (docs/specification.md#the-mesh-client): every connection of every pool of this process
 * counts against one cap. Under the cap a request is granted; at the cap it takes a connection
 * from the lowest-priority pool (of a service ranked strictly below the requester) that holds
 * more than its minimum, or is denied and counted.
 */
export class GlobalConnectionScaler {
  readonly maxTotalConnections: number;
  private readonly priorities: readonly string[];
  private readonly pools = new Map<string, ScalablePool>();
  private total = 0;
  private readonly rebalanceCounts = new Map<string, RebalanceCount>();
  private readonly denialCounts = new Map<string, number>();

  constructor(options: GlobalScalerOptions = {}) {
    this.maxTotalConnections = options.maxTotalConnections ?? DEFAULT_MAX_TOTAL_CONNECTIONS;
    this.priorities = options.priorities ?? DEFAULT_SERVICE_PRIORITIES;
    if (this.maxTotalConnections < 0) throw new RangeError('maxTotalConnections must be >= 0');
  }

  /** Makes a pool eligible to give connections up; returns a function that removes it. */
  register(pool: ScalablePool): () => void {
    if (this.pools.has(pool.id)) throw new Error(`pool ${pool.id} is already registered`);
    this.pools.set(pool.id, pool);
    return () => {
      if (this.pools.get(pool.id) === pool) this.pools.delete(pool.id);
    };
  }

  /** 0 is the highest priority; an unknown service gets the lowest (the list's length). */
  priorityOf(service: string): number {
    const index = this.priorities.indexOf(service);
    return index === -1 ? this.priorities.length : index;
  }

  /** Asks for one more connection for `pool`; a grant must be given back with `release` when closed. */
  requestConnectionIncrease(pool: Pick<ScalablePool, 'id' | 'service'>): ConnectionGrant {
    if (this.total < this.maxTotalConnections) {
      this.total += 1;
      return { granted: true, via: 'capacity' };
    }
    const victim = this.findVictim(pool);
    if (victim === undefined) {
      this.denialCounts.set(pool.service, (this.denialCounts.get(pool.service) ?? 0) + 1);
      return { granted: false, reason: 'cap_reached' };
    }
    victim.surrender();
    this.countRebalance(victim.service, pool.service);
    return { granted: true, via: 'rebalance', fromPool: victim.id, fromService: victim.service };
  }

  /** Gives back `count` granted connections (closed by their pool, not surrendered). */
  release(count = 1): void {
    this.total = Math.max(0, this.total - count);
  }

  snapshot(): GlobalScalerSnapshot {
    return {
      totalConnections: this.total,
      maxTotalConnections: this.maxTotalConnections,
      rebalances: [...this.rebalanceCounts.values()],
      denials: Object.fromEntries(this.denialCounts),
    };
  }

  /** The lowest-priority pool below the requester with the most connections above its minimum. */
  private findVictim(requester: Pick<ScalablePool, 'id' | 'service'>): ScalablePool | undefined {
    const requesterPriority = this.priorityOf(requester.service);
    let best: { pool: ScalablePool; priority: number; excess: number } | undefined;
    for (const pool of this.pools.values()) {
      const priority = this.priorityOf(pool.service);
      const excess = pool.connectionCount() - pool.minConnections;
      if (pool.id === requester.id || priority <= requesterPriority || excess <= 0) continue;
      if (!best || priority > best.priority || (priority === best.priority && excess > best.excess)) {
        best = { pool, priority, excess };
      }
    }
    return best?.pool;
  }

  private countRebalance(from: string, to: string): void {
    const key = `${from}\u0000${to}`;
    const count = (this.rebalanceCounts.get(key)?.count ?? 0) + 1;
    this.rebalanceCounts.set(key, { from, to, count });
  }
}
