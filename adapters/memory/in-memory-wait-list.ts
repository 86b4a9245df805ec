import type { StreamEntry } from '../../core/messaging/streams.js';

interface Waiter {
  /** Tries to complete the wait; true once settled (entries found, or the poll threw). */
  serve(): boolean;
  /** Settles the wait with no entries. */
  release(): void;
}

/**
 * Readers blocked on streams (XREAD / XREADGROUP BLOCK). Each stream's waiters are served in
 * arrival order when it changes, as Redis serves blocked clients, so no one polls.
 */
export class InMemoryWaitList {
  private readonly waiters = new Map<string, Set<Waiter>>();

  /** Resolves with the first non-empty `poll()` after a `wake(stream)`, or `[]` after `blockMs`. */
  wait(stream: string, blockMs: number, poll: () => StreamEntry[]): Promise<StreamEntry[]> {
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.remove(stream, waiter);
      };
      const waiter: Waiter = {
        serve: () => {
          let entries: StreamEntry[];
          try {
            entries = poll();
          } catch (error) {
            finish();
            reject(error);
            return true;
          }
          if (entries.length === 0) return false;
          finish();
          resolve(entries);
          return true;
        },
        release: () => {
          finish();
          resolve([]);
        },
      };
      const timer = setTimeout(waiter.release, blockMs);
      this.add(stream, waiter);
    });
  }

  wake(stream: string): void {
    const waiting = this.waiters.get(stream);
    if (!waiting) return;
    for (const waiter of [...waiting]) waiter.serve();
  }

  releaseAll(): void {
    for (const waiting of [...this.waiters.values()]) {
      for (const waiter of [...waiting]) waiter.release();
    }
  }

  private add(stream: string, waiter: Waiter): void {
    const waiting = this.waiters.get(stream) ?? new Set<Waiter>();
    waiting.add(waiter);
    this.waiters.set(stream, waiting);
  }

  private remove(stream: string, waiter: Waiter): void {
    const waiting = this.waiters.get(stream);
    if (!waiting) return;
    waiting.delete(waiter);
    if (waiting.size === 0) this.waiters.delete(stream);
  }
}
