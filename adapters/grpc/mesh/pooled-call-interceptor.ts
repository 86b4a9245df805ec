import {
  InterceptingCall,
  Metadata,
  status,
  type Deadline,
  type InterceptingListener,
  type Interceptor,
  type NextCall,
  type StatusObject,
} from '@grpc/grpc-js';
import type { Clock } from '../../../core/shared/clock.js';
import { LOCAL_STATUS_METADATA } from './grpc-call-outcome.js';

/** The pool's side of one channel's calls: admission (now, after waiting, or never) and the end of each call. */
export interface CallGate {
  /**
   * Asks to send a call whose deadline is `deadline` (epoch ms, Infinity for none). Calls `send`
   * when it may go (at once or after waiting) or `refuse` when it may not (queue full, deadline
   * passed while waiting, pool closed), never both. Returns `withdraw`, which takes a waiting call
   * out of the queue and answers whether it was still waiting.
   */
  enter(deadline: number, send: () => void, refuse: (code: status, details: string) => void): () => boolean;
  /** A call that was sent has ended with `code` after `latencyMs`; `cancelledByCaller` if this process cancelled it. */
  exit(code: status, latencyMs: number, cancelledByCaller: boolean): void;
}

type ChannelCall = ReturnType<NextCall>;

/**
 * Creates the channel's call only when the pool sends it. A call waiting in the pool's queue
 * therefore has no grpc-js call yet, whose own deadline timer would otherwise end it with nobody
 * listening; the wait is bounded by the gate instead.
 */
class DeferredCall implements ChannelCall {
  private call: ChannelCall | undefined;
  private readPending = false;

  constructor(
    private readonly create: () => ChannelCall,
    private readonly target: string,
  ) {}

  start(metadata: Metadata, listener?: Partial<InterceptingListener>): void {
    this.call = this.create();
    this.call.start(metadata, listener);
    if (this.readPending) this.call.startRead();
  }

  cancelWithStatus(code: status, details: string): void {
    this.call?.cancelWithStatus(code, details);
  }

  getPeer(): string {
    return this.call?.getPeer() ?? this.target;
  }

  sendMessageWithContext(...args: Parameters<ChannelCall['sendMessageWithContext']>): void {
    this.call?.sendMessageWithContext(...args);
  }

  sendMessage(message: unknown): void {
    this.call?.sendMessage(message);
  }

  startRead(): void {
    if (this.call) this.call.startRead();
    else this.readPending = true;
  }

  halfClose(): void {
    this.call?.halfClose();
  }

  getAuthContext(): ReturnType<ChannelCall['getAuthContext']> {
    return this.call?.getAuthContext() ?? null;
  }
}

const deadlineMs = (deadline: Deadline | undefined): number => {
  if (deadline === undefined) return Infinity;
  return deadline instanceof Date ? deadline.getTime() : deadline;
};

/** A status the pool gives itself, marked so that callers know the call never left this process. */
export const localStatus = (code: status, details: string): StatusObject => {
  const metadata = new Metadata();
  metadata.set(LOCAL_STATUS_METADATA, '1');
  return { code, details, metadata };
};

/**
 * The interceptor every channel of a pool is built with: each call passes the pool's gate before
 * it is sent and reports its status and latency after. Refusals and cancellations of waiting calls
 * are answered asynchronously, as grpc-js answers its own.
 */
export const pooledCallInterceptor =
  (gate: CallGate, clock: Clock, target: string): Interceptor =>
  (options, nextCall) => {
    let stage: 'new' | 'waiting' | 'sent' | 'done' = 'new';
    let cancelledByCaller = false;
    let withdraw = (): boolean => false;
    let answer = (_status: StatusObject): void => undefined;
    const deferred = new DeferredCall(() => nextCall(options), target);

    return new InterceptingCall(deferred, {
      start: (metadata, listener, next) => {
        answer = (result) => process.nextTick(() => listener.onReceiveStatus(result));
        const send = () => {
          if (stage !== 'waiting') return;
          stage = 'sent';
          const sentAt = clock.now();
          next(metadata, {
            onReceiveStatus: (result, forward) => {
              gate.exit(result.code, clock.now() - sentAt, cancelledByCaller);
              forward(result);
            },
          });
        };
        const refuse = (code: status, details: string) => {
          if (stage !== 'waiting') return;
          stage = 'done';
          answer(localStatus(code, details));
        };
        stage = 'waiting';
        withdraw = gate.enter(deadlineMs(options.deadline), send, refuse);
      },
      cancel: (next) => {
        if (stage === 'waiting' && withdraw()) {
          stage = 'done';
          answer(localStatus(status.CANCELLED, 'Cancelled on client'));
          return;
        }
        if (stage !== 'sent') return;
        cancelledByCaller = true;
        next();
      },
    });
  };
