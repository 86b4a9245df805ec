import type { InstanceStatus } from './instance.js';
import type { Ticker } from './ports.js';

/**
 * One dependency of an instance (its database, Redis) and how to ask whether it answers. `check`
 * rejects when it does not, and settles within its own timeout (the adapter bounds it).
 */
export interface DependencyProbe {
  readonly name: string;
  check(): Promise<void>;
}

/** What the instance says of itself, given how its dependencies answered. */
export interface DependencyVerdict {
  readonly status: Extract<InstanceStatus, 'healthy' | 'unhealthy'>;
  /** The failing dependencies and why, e.g. `database: connection refused`; absent when healthy. */
  readonly reason?: string;
}

/**
 * Consecutive probe outcomes per dependency, and the verdict they give: `unhealthy` once one
 * dependency failed `failuresBeforeUnhealthy` probes in a row (a blip, or a Redis failover that
 * settles in a few seconds, is not reported), `healthy` again at its first success.
 */
export class DependencyHealth {
  private readonly failures = new Map<string, { count: number; reason: string }>();

  constructor(private readonly failuresBeforeUnhealthy = 2) {
    if (!(failuresBeforeUnhealthy >= 1)) throw new RangeError('failuresBeforeUnhealthy must be at least 1');
  }

  record(name: string, outcome: { readonly ok: true } | { readonly ok: false; readonly reason: string }): void {
    if (outcome.ok) this.failures.delete(name);
    else this.failures.set(name, { count: (this.failures.get(name)?.count ?? 0) + 1, reason: outcome.reason });
  }

  verdict(): DependencyVerdict {
    const failing = [...this.failures]
      .filter(([, failure]) => failure.count >= this.failuresBeforeUnhealthy)
      .map(([name, failure]) => `${name}: ${failure.reason}`);
    return failing.length === 0 ? { status: 'healthy' } : { status: 'unhealthy', reason: failing.join('; ') };
  }
}

export interface DependencyWatchOptions {
  readonly ticker: Ticker;
  readonly intervalMs: number;
  /** Default 2. */
  readonly failuresBeforeUnhealthy?: number;
  /** Told each verdict that differs from the last one (the first is `healthy`, as registered). */
  readonly onVerdict: (verdict: DependencyVerdict) => void | Promise<void>;
  /** Told about a verdict that could not be written (the next round tries again). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Probes the instance's dependencies every `intervalMs` and says when its verdict changes
 * (docs/adr/0057): the registration writes it, so every process sees an instance whose own
 * database or Redis fails as `unhealthy`. Rounds never overlap. Returns the function that stops it.
 */
export const watchDependencies = (probes: readonly DependencyProbe[], options: DependencyWatchOptions): (() => void) => {
  if (probes.length === 0) return () => {};
  const health = new DependencyHealth(options.failuresBeforeUnhealthy);
  let said: DependencyVerdict = { status: 'healthy' };
  let running = false;
  let stopped = false;
  const round = async () => {
    if (running || stopped) return;
    running = true;
    try {
      const outcomes = await Promise.all(
        probes.map((probe) =>
          probe.check().then(
            () => ({ ok: true }) as const,
            (error: unknown) => ({ ok: false, reason: error instanceof Error ? error.message : String(error) }) as const,
          ),
        ),
      );
      probes.forEach((probe, index) => health.record(probe.name, outcomes[index]!));
      const verdict = health.verdict();
      if (stopped || (verdict.status === said.status && verdict.reason === said.reason)) return;
      await options.onVerdict(verdict);
      said = verdict;
    } catch (error) {
      options.onError?.(error);
    } finally {
      running = false;
    }
  };
  const task = options.ticker.every(options.intervalMs, round);
  return () => {
    stopped = true;
    task.cancel();
  };
};
