export interface LatencySummary {
  /** Samples taken since the start (the percentiles cover the most recent `capacity` only). */
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly last: number;
}

/** The most recent latency samples (ms) of one kind, with percentiles over them. */
export class LatencySamples {
  private readonly samples: number[] = [];
  private next = 0;
  private count = 0;
  private last = 0;

  constructor(private readonly capacity = 512) {
    if (!(capacity > 0)) throw new RangeError(`capacity must be positive, got ${capacity}`);
  }

  record(ms: number): void {
    const sample = Math.max(0, ms);
    if (this.samples.length < this.capacity) this.samples.push(sample);
    else this.samples[this.next] = sample;
    this.next = (this.next + 1) % this.capacity;
    this.count += 1;
    this.last = sample;
  }

  summary(): LatencySummary {
    const sorted = [...this.samples].sort((a, b) => a - b);
    return {
      count: this.count,
      p50: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
      p99: percentile(sorted, 0.99),
      max: sorted.at(-1) ?? 0,
      last: this.last,
    };
  }
}

/** Nearest-rank percentile of ascending `sorted`; 0 when empty. */
export const percentile = (sorted: readonly number[], quantile: number): number => {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(quantile * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
};
