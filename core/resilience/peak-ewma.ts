import type { Clock } from '../shared/clock.js';

export interface PeakEwmaConfig {
  /** Time constant of the decay: after this long a sample weighs 1/e (Finagle and Linkerd: 10 s). */
  readonly decayMs: number;
  /** Load of an instance never measured that already has calls pending: keeps a burst off it. */
  readonly unmeasuredPenaltyMs: number;
}

export const DEFAULT_PEAK_EWMA: PeakEwmaConfig = { decayMs: 10_000, unmeasuredPenaltyMs: 1_000 };

/**
 * Peak-EWMA latency of one instance (Finagle's and Linkerd's load metric): a slower sample than
 * the estimate replaces it at once (the peak), faster samples pull it down exponentially with the
 * time since the last sample, and with no samples it decays toward zero so an instance that was
 * slow is tried again eventually. The load multiplies the estimate by the calls pending on it.
 */
export class PeakEwma {
  private cost = 0;
  private stamp: number;
  private pendingCalls = 0;

  constructor(
    private readonly clock: Clock,
    private readonly config: PeakEwmaConfig = DEFAULT_PEAK_EWMA,
  ) {
    this.stamp = clock.now();
  }

  /** A call started on the instance. */
  start(): void {
    this.pendingCalls += 1;
  }

  /** A call ended; its latency counts when given (failed calls are left to the breaker). */
  finish(latencyMs?: number): void {
    this.pendingCalls = Math.max(0, this.pendingCalls - 1);
    if (latencyMs !== undefined) this.observe(latencyMs);
  }

  observe(latencyMs: number): void {
    const now = this.clock.now();
    const weight = Math.exp(-Math.max(0, now - this.stamp) / this.config.decayMs);
    this.cost = latencyMs > this.cost ? latencyMs : this.cost * weight + latencyMs * (1 - weight);
    this.stamp = now;
  }

  /** The latency estimate now, decayed toward zero since the last sample. */
  estimateMs(): number {
    return this.cost * Math.exp(-Math.max(0, this.clock.now() - this.stamp) / this.config.decayMs);
  }

  pending(): number {
    return this.pendingCalls;
  }

  /** What P2C compares: estimate x (pending + 1); a penalty when unmeasured but already busy. */
  load(): number {
    const estimate = this.estimateMs();
    if (estimate < 1e-6 && this.pendingCalls > 0) return this.config.unmeasuredPenaltyMs + this.pendingCalls;
    return estimate * (this.pendingCalls + 1);
  }
}
