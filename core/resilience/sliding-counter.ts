/**
 * Counts over a sliding time window, kept as `buckets` time slices so memory stays constant at any
 * call rate. A slice drops out whole, so the window covers between `(buckets - 1) / buckets` and all
 * of `windowMs`.
 */
export class SlidingCounter {
  private readonly bucketMs: number;
  private readonly slices: Array<{ epoch: number; count: number }>;

  constructor(
    readonly windowMs: number,
    private readonly buckets = 10,
  ) {
    if (windowMs <= 0 || buckets <= 0) throw new RangeError('windowMs and buckets must be > 0');
    this.bucketMs = windowMs / buckets;
    this.slices = Array.from({ length: buckets }, () => ({ epoch: -Infinity, count: 0 }));
  }

  add(now: number, amount = 1): void {
    const epoch = Math.floor(now / this.bucketMs);
    const slice = this.slices[epoch % this.buckets]!;
    if (slice.epoch !== epoch) {
      slice.epoch = epoch;
      slice.count = 0;
    }
    slice.count += amount;
  }

  sum(now: number): number {
    const epoch = Math.floor(now / this.bucketMs);
    let total = 0;
    for (const slice of this.slices) if (slice.epoch > epoch - this.buckets && slice.epoch <= epoch) total += slice.count;
    return total;
  }

  reset(): void {
    for (const slice of this.slices) {
      slice.epoch = -Infinity;
      slice.count = 0;
    }
  }
}
