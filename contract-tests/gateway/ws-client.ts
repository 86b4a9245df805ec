import WebSocket, { type ClientOptions } from 'ws';
import { waitFor } from '../messaging/wait.js';

/** A received message, parsed. */
export type Received = { readonly type: string; readonly [field: string]: unknown };

export interface Closure {
  readonly code: number;
  readonly reason: string;
}

/** A real `ws` client that keeps what it receives, for tests. */
export interface TestSocket {
  readonly ws: WebSocket;
  readonly received: Received[];
  /** Resolves when the handshake completes; rejects with the HTTP status when the upgrade is refused. */
  readonly opened: Promise<void>;
  readonly closed: Promise<Closure>;
  ofType(type: string): Received[];
  /** Waits until `count` messages of `type` arrived. */
  waitForType(type: string, count?: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export class UpgradeRefused extends Error {
  constructor(readonly status: number) {
    super(`upgrade refused with HTTP ${status}`);
  }
}

export const connectSocket = (url: string, protocols?: string | string[], options: ClientOptions = {}): TestSocket => {
  const ws = new WebSocket(url, protocols, options);
  const received: Received[] = [];
  ws.on('message', (data, isBinary) => {
    if (!isBinary) received.push(JSON.parse(data.toString()) as Received);
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_request, response) => {
      reject(new UpgradeRefused(response.statusCode ?? 0));
      response.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
  opened.catch(() => undefined);
  const closed = new Promise<Closure>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const ofType = (type: string) => received.filter((message) => message.type === type);
  return {
    ws,
    received,
    opened,
    closed,
    ofType,
    waitForType: async (type, count = 1, timeoutMs = 10_000) => {
      await waitFor(() => ofType(type).length >= count, timeoutMs, `${count} "${type}" message(s)`);
      return ofType(type);
    },
    close: async () => {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.terminate();
      await closed;
    },
  };
};
