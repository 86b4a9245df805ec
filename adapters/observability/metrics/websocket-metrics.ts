import { Counter, type Registry } from 'prom-client';

/** The reasons the gateway closes a client for (core's CloseReason), and `unresponsive` for a client cut after a missed ping. */
const closeReasons = [
  'finished',
  'unauthenticated',
  'forbidden',
  'not_found',
  'policy',
  'lagging',
  'unavailable',
  'too_many',
  'shutdown',
  'unresponsive',
] as const;

/**
 * WebSocket clients the gateway lost data for: its own closes by reason, and live messages dropped
 * for clients that were behind. Every reason starts at 0, so `increase()` sees the first close.
 */
export class WebSocketMetrics {
  private readonly closes: Counter<'reason'>;
  private readonly droppedMessages: Counter;

  constructor(registry: Registry) {
    this.closes = new Counter({
      name: 'meshwork_websocket_closes_total',
      help: 'WebSocket clients the gateway closed, by reason (lagging: stayed too far behind; unresponsive: missed a ping)',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const reason of closeReasons) this.closes.inc({ reason }, 0);
    this.droppedMessages = new Counter({
      name: 'meshwork_websocket_dropped_messages_total',
      help: 'Live WebSocket messages dropped because the client was behind',
      registers: [registry],
    });
  }

  closed(reason: string): void {
    this.closes.inc({ reason: (closeReasons as readonly string[]).includes(reason) ? reason : 'other' });
  }

  dropped(count: number): void {
    this.droppedMessages.inc(count);
  }
}
