import { status } from '@grpc/grpc-js';
import { PendingQueue } from './pending-queue.js';

/** The `withdraw` of a call that is not waiting (shared: the fast path allocates no closure). */
const NOT_WAITING = (): boolean => false;

interface Waiter {
  readonly send: () => void;
  readonly refuse: (code: status, details: string) => void;
  timer?: NodeJS.Timeout;
}

/**
 * Admission of calls to one pool: sent at once while fewer than `capacity()` are in flight, else
 * queued (FIFO, at most `maxPending`) until a call ends or the waiting call's deadline passes, else
 * refused at once with RESOURCE_EXHAUSTED, so callers of a stalled target cannot pile up.
 */
export class CallAdmission {
  private sent = 0;
  private refusedFull = 0;
  private readonly queue: PendingQueue<Waiter>;

  constructor(
    private readonly name: string,
    maxPending: number,
    private readonly capacity: () => number,
  ) {
    this.queue = new PendingQueue(maxPending);
  }

  /** Calls sent and not yet ended. */
  get inFlight(): number {
    return this.sent;
  }

  get waiting(): number {
    return this.queue.size;
  }

  /** Calls refused because the queue was full. */
  get rejected(): number {
    return this.refusedFull;
  }

  /**
   * Sends (`send`), queues or refuses (`refuse`) one call whose deadline is `deadline` (epoch ms).
   * Returns `withdraw`: takes the call out of the queue, true if it was still waiting.
   */
  enter(deadline: number, send: () => void, refuse: Waiter['refuse']): () => boolean {
    if (this.queue.size === 0 && this.sent < this.capacity()) {
      this.dispatch(send);
      return NOT_WAITING;
    }
    const waiter: Waiter = { send, refuse };
    if (!this.queue.offer(waiter)) {
      this.refusedFull += 1;
      refuse(status.RESOURCE_EXHAUSTED, `connection pool ${this.name} is full: ${this.queue.capacity} calls waiting`);
      return NOT_WAITING;
    }
    const waitMs = deadline - Date.now();
    if (Number.isFinite(waitMs)) {
      waiter.timer = setTimeout(
        () => {
          if (this.queue.remove(waiter)) waiter.refuse(status.DEADLINE_EXCEEDED, 'Deadline exceeded waiting for a pooled connection');
        },
        Math.max(0, waitMs),
      );
    }
    return () => {
      if (!this.queue.remove(waiter)) return false;
      clearTimeout(waiter.timer);
      return true;
    };
  }

  /** A sent call ended: its place goes to the oldest waiting call. */
  exit(): void {
    this.sent = Math.max(0, this.sent - 1);
    this.pump();
  }

  /** Sends waiting calls while there is room (after a call ended or capacity grew). */
  pump(): void {
    while (this.queue.size > 0 && this.sent < this.capacity()) {
      const waiter = this.queue.poll()!;
      clearTimeout(waiter.timer);
      this.dispatch(waiter.send);
    }
  }

  /** Refuses every waiting call with `code`. */
  refuseWaiting(code: status, details: string): void {
    for (const waiter of this.queue.drain()) {
      clearTimeout(waiter.timer);
      waiter.refuse(code, details);
    }
  }

  private dispatch(send: () => void): void {
    this.sent += 1;
    send();
  }
}
