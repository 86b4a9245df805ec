import WebSocket from 'ws';
import type { ClientConnection, CloseReason, GatewayMessage, MessagePriority, SendOutcome } from '../../core/gateway/index.js';
import type { Clock } from '../../core/shared/clock.js';
import { closeCodeOf, closeText } from './close-codes.js';

export interface ConnectionLimits {
  /** Bytes buffered in the socket above which nothing more is handed to it: the rest waits in the queue. Default 256 KiB. */
  readonly highWaterBytes: number;
  /** Messages waiting in the queue; past it the oldest `live` ones are dropped (essential ones close the connection). Default 256. */
  readonly maxQueuedMessages: number;
  /** A client that keeps dropping messages for this long is closed with 1013 "try again later". Default 10 s. */
  readonly maxLagMs: number;
  /** How long a closing client has to answer the close frame before its socket is cut. Default 5 s. */
  readonly closeGraceMs?: number;
}

/** What a connection reports about losing its client's data, for metrics: the gateway's own closes and dropped messages. */
export interface WebSocketObserver {
  /** The gateway closed a client (`unresponsive`: it stopped answering pings and was cut). */
  closed(reason: CloseReason | 'unresponsive'): void;
  /** Live messages dropped because the client was behind. */
  dropped(count: number): void;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { highWaterBytes: 256 * 1024, maxQueuedMessages: 256, maxLagMs: 10_000 };

interface Queued {
  readonly frame: string;
  readonly droppable: boolean;
}

/** Each message is serialised once, however many sockets it goes to. */
const frames = new WeakMap<GatewayMessage, string>();
const frameOf = (message: GatewayMessage): string => {
  let frame = frames.get(message);
  if (frame === undefined) {
    frame = JSON.stringify(message);
    frames.set(message, frame);
  }
  return frame;
};

/**
 * One client socket as the domain's ClientConnection. A slow client never slows others and never
 * grows memory without bound: frames go to the socket only while its buffer is under the high-water
 * mark; the rest wait in a bounded queue where the oldest live (metrics) messages make way for new
 * ones; a client that stays behind is closed with 1013.
 */
export class WebSocketConnection implements ClientConnection {
  private readonly queue: Queued[] = [];
  private behindSince: number | undefined;
  private closed = false;
  private droppedCount = 0;
  private readonly flushAfterWrite = (error?: Error): void => {
    if (!error) this.flush();
  };

  constructor(
    private readonly socket: WebSocket,
    private readonly clock: Clock,
    private readonly limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS,
    private readonly observer?: WebSocketObserver,
  ) {}

  /** True once the gateway ended the connection (the close handshake may still be under way). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Live messages dropped so far because the client was behind. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Messages waiting for the socket to take them. */
  get queued(): number {
    return this.queue.length;
  }

  /** What this client holds in the gateway's memory: bytes in the socket buffer plus bytes queued. */
  get bufferedBytes(): number {
    return this.socket.bufferedAmount + this.queue.reduce((sum, item) => sum + item.frame.length, 0);
  }

  send(messages: readonly GatewayMessage[], priority: MessagePriority): SendOutcome {
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return 'closed';
    for (const message of messages) this.queue.push({ frame: frameOf(message), droppable: priority === 'live' });
    this.flush();
    const dropped = this.trim();
    if (dropped === undefined) return 'closed';
    if (dropped === 0) return 'accepted';
    this.droppedCount += dropped;
    this.observer?.dropped(dropped);
    this.behindSince ??= this.clock.now();
    if (this.clock.now() - this.behindSince >= this.limits.maxLagMs) {
      this.close('lagging', 'the client stayed too far behind');
      return 'closed';
    }
    return 'dropped';
  }

  close(reason: CloseReason, detail: string = reason): void {
    if (this.closed) return;
    this.closed = true;
    this.observer?.closed(reason);
    this.queue.length = 0;
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(closeCodeOf[reason], closeText(detail));
    }
    // A client that stopped reading never answers the close frame: cut it rather than wait ws's 30 s.
    const cut = setTimeout(() => this.socket.terminate(), this.limits.closeGraceMs ?? 5_000);
    cut.unref();
    this.socket.once('close', () => clearTimeout(cut));
  }

  /** Drops the oldest live messages past the bound; undefined when only essential ones are left and it still overflows. */
  private trim(): number | undefined {
    let dropped = 0;
    while (this.queue.length > this.limits.maxQueuedMessages) {
      const oldest = this.queue.findIndex((item) => item.droppable);
      if (oldest < 0) {
        this.close('lagging', 'the client stayed too far behind');
        return undefined;
      }
      this.queue.splice(oldest, 1);
      dropped += 1;
    }
    return dropped;
  }

  private flush(): void {
    while (!this.closed && this.queue.length > 0 && this.socket.bufferedAmount < this.limits.highWaterBytes) {
      if (this.socket.readyState !== WebSocket.OPEN) return;
      const next = this.queue.shift()!;
      this.socket.send(next.frame, this.flushAfterWrite);
    }
    if (this.queue.length === 0) this.behindSince = undefined;
  }
}
