import type { ClientConnection, CloseReason, GatewayMessage, MessagePriority, SendOutcome } from '../../core/gateway/index.js';

/**
 * A ClientConnection that keeps what it was sent: the in-memory end of a socket. It can be made to
 * lag (answering `dropped` for live messages) to exercise what callers do with a slow client.
 */
export class RecordingConnection implements ClientConnection {
  readonly received: GatewayMessage[] = [];
  closedWith: { readonly reason: CloseReason; readonly detail: string } | undefined;
  lagging = false;

  send(messages: readonly GatewayMessage[], priority: MessagePriority): SendOutcome {
    if (this.closedWith) return 'closed';
    if (this.lagging && priority === 'live') return 'dropped';
    this.received.push(...messages);
    return 'accepted';
  }

  close(reason: CloseReason, detail: string = reason): void {
    this.closedWith ??= { reason, detail };
  }

  /** Messages of one type, in arrival order. */
  ofType(type: string): GatewayMessage[] {
    return this.received.filter((message) => message.type === type);
  }
}
