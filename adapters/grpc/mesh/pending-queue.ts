/**
 * A bounded FIFO of waiting calls. `offer` refuses once `capacity` entries wait, which is how the
 * pool turns callers away fast instead of letting them pile up behind a stalled target.
 */
export class PendingQueue<T> {
  private readonly entries = new Set<T>();

  constructor(readonly capacity: number) {
    if (capacity < 0) throw new RangeError('capacity must be >= 0');
  }

  get size(): number {
    return this.entries.size;
  }

  /** Adds `entry` at the back; false when the queue is full. */
  offer(entry: T): boolean {
    if (this.entries.size >= this.capacity) return false;
    this.entries.add(entry);
    return true;
  }

  /** Takes the oldest entry. */
  poll(): T | undefined {
    for (const entry of this.entries) {
      this.entries.delete(entry);
      return entry;
    }
    return undefined;
  }

  /** Takes `entry` out wherever it is; false when it was not waiting. */
  remove(entry: T): boolean {
    return this.entries.delete(entry);
  }

  /** Empties the queue, oldest first. */
  drain(): T[] {
    const all = [...this.entries];
    this.entries.clear();
    return all;
  }
}
