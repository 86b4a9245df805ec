/** One completed call as the pool saw it. */
export interface CallSample {
  /** Epoch ms when the call completed. */
  readonly at: number;
  readonly latencyMs: number;
  /** True when the target failed the call (an instance failure, not an application answer). */
  readonly failed: boolean;
}

export interface WindowTotals {
  readonly calls: number;
  readonly failures: number;
  readonly totalLatencyMs: number;
}

export interface LatencyPercentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/**
 * Completed calls over a sliding window of `windowMs`, oldest first. Samples are kept (up to
 * `maxSamples`, the oldest dropped first) so percentiles are exact over the window.
 */
export class CallWindow {
  private samples: CallSample[] = [];
  private head = 0;

  constructor(
    readonly windowMs: number,
    private readonly maxSamples = 20_000,
  ) {}

  /** Records a completed call; `at` must not go backwards by more than the window. */
  record(sample: CallSample): void {
    this.samples.push(sample);
    if (this.samples.length - this.head > this.maxSamples) this.head += 1;
    this.compact();
  }

  totals(now: number): WindowTotals {
    this.prune(now);
    let failures = 0;
    let totalLatencyMs = 0;
    for (let i = this.head; i < this.samples.length; i += 1) {
      const sample = this.samples[i]!;
      if (sample.failed) failures += 1;
      totalLatencyMs += sample.latencyMs;
    }
    return { calls: this.samples.length - this.head, failures, totalLatencyMs };
  }

  /** Nearest-rank percentiles of the window's latencies; zeros when the window is empty. */
  percentiles(now: number): LatencyPercentiles {
    this.prune(now);
    const sorted = this.samples
      .slice(this.head)
      .map((s) => s.latencyMs)
      .sort((a, b) => a - b);
    return { p50: rank(sorted, 0.5), p95: rank(sorted, 0.95), p99: rank(sorted, 0.99) };
  }

  private prune(now: number): void {
    const oldest = now - this.windowMs;
    while (this.head < this.samples.length && this.samples[this.head]!.at <= oldest) this.head += 1;
    this.compact();
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.samples.length) {
      this.samples = this.samples.slice(this.head);
      this.head = 0;
    }
  }
}

const rank = (sorted: readonly number[], quantile: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)]!;
