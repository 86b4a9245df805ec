import { connectivityState, type Client } from '@grpc/grpc-js';

/**
 * One connection of a pool: a generated client with its own channel, built so that its subchannel
 * is not shared with any other channel (ADR 0015), hence its own HTTP/2 connection.
 */
export class PoolSlot<C extends Client> {
  /** Calls sent on this connection and not yet ended. */
  inFlight = 0;
  /** Taken out of rotation: closes once its calls have ended. */
  draining = false;
  private closed = false;
  private readonly readyWaiters = new Set<(ready: boolean) => void>();

  constructor(
    readonly id: number,
    readonly client: C,
    private readonly onStateChange: (slot: PoolSlot<C>, from: connectivityState, to: connectivityState) => void,
  ) {
    this.watch(this.state());
  }

  state(): connectivityState {
    return this.closed ? connectivityState.SHUTDOWN : this.client.getChannel().getConnectivityState(false);
  }

  isReady(): boolean {
    return this.state() === connectivityState.READY;
  }

  /** Starts connecting if idle (a pool keeps its connections warm). */
  connect(): void {
    if (!this.closed) this.client.getChannel().getConnectivityState(true);
  }

  /**
   * Resolves true once the connection is ready, false if it is not within `timeoutMs` or the slot
   * closes first. (Not grpc-js's `waitForReady`: a channel closed while that waits reconnects.)
   */
  whenReady(timeoutMs: number): Promise<boolean> {
    if (this.isReady()) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const settle = (ready: boolean) => {
        clearTimeout(timer);
        this.readyWaiters.delete(settle);
        resolve(ready);
      };
      const timer = setTimeout(() => settle(false), timeoutMs);
      this.readyWaiters.add(settle);
    });
  }

  /** Takes the slot out of rotation; it closes when its last call ends (at once if it has none). */
  drain(): void {
    this.draining = true;
    if (this.inFlight === 0) this.close();
  }

  /** A call on this slot ended; closes a draining slot after its last call. */
  callEnded(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.draining && this.inFlight === 0) this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const settle of [...this.readyWaiters]) settle(false);
    // grpc-js resolves the address of a channel that starts connecting on the next tick, and a
    // channel closed before that still opens its connection and never closes it: wait one turn.
    setImmediate(() => this.client.close());
  }

  isClosed(): boolean {
    return this.closed;
  }

  private watch(current: connectivityState): void {
    if (this.closed || current === connectivityState.SHUTDOWN) return;
    this.client.getChannel().watchConnectivityState(current, Infinity, () => {
      const next = this.client.getChannel().getConnectivityState(false);
      if (this.closed) return;
      if (next === connectivityState.READY) for (const settle of [...this.readyWaiters]) settle(true);
      this.onStateChange(this, current, next);
      this.watch(next);
    });
  }
}
