import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import type { Authenticator, ClientRegistry, Identity, LiveSessions } from '../../core/gateway/index.js';
import type { Clock } from '../../core/shared/clock.js';
import { DomainFailureError, type DomainFailure } from '../../core/shared/errors.js';
import type { IdGenerator } from '../../core/shared/ids.js';
import type { Result } from '../../core/shared/result.js';
import { PROBLEM_CONTENT_TYPE, problem } from '../http/http-problem.js';
import type { Logger } from '../observability/logger.js';
import { isEntryId } from '../../core/messaging/stream-ids.js';
import { closeReasonOf } from './close-codes.js';
import type { SocketRoute, SocketRouteInput } from './socket-route.js';
import { chooseProtocol, tokenFromFirstMessage, tokenFromHeader, tokenFromProtocols } from './socket-authentication.js';
import { DEFAULT_CONNECTION_LIMITS, WebSocketConnection, type ConnectionLimits, type WebSocketObserver } from './web-socket-connection.js';

export const WebSocketPaths = { simulationStream: '/simulation/stream', events: '/events' } as const;

export interface WebSocketHubOptions {
  /** Largest frame a client may send; larger ones close the socket with 1009. Default 16 KiB. */
  readonly maxMessageBytes?: number;
  /** How long a client without a subprotocol token has to send its auth message. Default 5 s. */
  readonly authTimeoutMs?: number;
  /** Ping interval; a client that has not answered the previous ping is dropped. Default 30 s. */
  readonly heartbeatMs?: number;
  readonly connectionLimits?: ConnectionLimits;
  /** Sockets one user may hold open at once; one more is closed with 4429 once authenticated. Default 32. */
  readonly maxSocketsPerUser?: number;
  /** Whether a browser page of this origin may connect (`host` is the Host header). Default: any. */
  readonly allowOrigin?: (origin: string, host: string) => boolean;
  /** Whether this address may open one more socket now; else a 429 answer with `Retry-After`. */
  readonly admit?: (address: string) => { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };
  /** Told of every client the gateway closes or cuts and every message it drops (the process metrics). */
  readonly observer?: WebSocketObserver;
  /** More paths with their own protocol (the collaboration socket, docs/adr/0050). */
  readonly routes?: readonly SocketRoute[];
}

export interface WebSocketHubDeps {
  readonly sessions: LiveSessions;
  readonly registry: ClientRegistry;
  readonly authenticator: Authenticator;
  readonly ids: IdGenerator;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Something with HTTP/1.1 upgrades: the fastify app's server. */
export interface UpgradeSource {
  on(event: 'upgrade', listener: (request: IncomingMessage, socket: Duplex, head: Buffer) => void): unknown;
  off(event: 'upgrade', listener: (request: IncomingMessage, socket: Duplex, head: Buffer) => void): unknown;
}

/** `lastId`: the `last_id` query parameter, to resume after (docs/adr/0051); `null` when present but not an entry id. */
type Route =
  | { readonly kind: 'events'; readonly lastId: string | null | undefined }
  | { readonly kind: 'simulation'; readonly simulationId: string | undefined; readonly lastId: string | null | undefined }
  | { readonly kind: 'custom'; readonly route: SocketRoute; readonly url: URL };

const SIMULATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The gateway's WebSockets on the client HTTP port: `/simulation/stream?simulation_id=...` and
 * `/events`. Tokens come in an `Authorization: Bearer` header on the upgrade (clients outside
 * browsers), as the subprotocol after `bearer`, or as a first `{type:'auth'}` message, and are
 * checked by the auth service; then the domain's LiveSessions decide what the socket gets.
 */
/** What a hub uses for options left out; the configuration's GATEWAY_WS_* defaults are these. */
export const WEB_SOCKET_HUB_DEFAULTS = {
  authTimeoutMs: 5_000,
  maxMessageBytes: 16 * 1024,
  heartbeatMs: 30_000,
  maxSocketsPerUser: 32,
} as const;

export class WebSocketHub {
  private readonly server: WebSocketServer;
  private readonly sockets = new Map<WebSocket, { alive: boolean; connection: WebSocketConnection }>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly authTimeoutMs: number;
  private readonly limits: ConnectionLimits;
  private readonly maxSocketsPerUser: number;
  private readonly socketsByUser = new Map<string, number>();
  private source: UpgradeSource | undefined;
  private closing = false;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly deps: WebSocketHubDeps,
    private readonly options: WebSocketHubOptions = {},
  ) {
    this.authTimeoutMs = options.authTimeoutMs ?? WEB_SOCKET_HUB_DEFAULTS.authTimeoutMs;
    this.limits = options.connectionLimits ?? DEFAULT_CONNECTION_LIMITS;
    this.maxSocketsPerUser = options.maxSocketsPerUser ?? WEB_SOCKET_HUB_DEFAULTS.maxSocketsPerUser;
    this.server = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxMessageBytes ?? WEB_SOCKET_HUB_DEFAULTS.maxMessageBytes,
      handleProtocols: chooseProtocol,
    });
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs ?? WEB_SOCKET_HUB_DEFAULTS.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Open sockets and what each holds in memory, for health details and tests. */
  stats(): { readonly sockets: number; readonly closing: number; readonly dropped: number; readonly bufferedBytes: readonly number[] } {
    const connections = [...this.sockets.values()].map(({ connection }) => connection);
    return {
      sockets: connections.length,
      closing: connections.filter((connection) => connection.isClosed).length,
      dropped: connections.reduce((sum, connection) => sum + connection.dropped, 0),
      bufferedBytes: connections.map((connection) => connection.bufferedBytes),
    };
  }

  /** Takes the upgrades of `source` (the fastify app's `app.server`). */
  attach(source: UpgradeSource): void {
    this.source = source;
    source.on('upgrade', this.onUpgrade);
  }

  /** Closes every socket (1001), then terminates them: `WebSocketServer.close()` alone leaves them open. Idempotent. */
  close(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  private async stop(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    this.source?.off('upgrade', this.onUpgrade);
    this.deps.sessions.closeAll();
    for (const [socket, { connection }] of this.sockets) {
      connection.close('shutdown', 'the gateway is stopping');
      socket.terminate();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(request.url ?? '/', 'http://gateway.invalid');
    const route = routeOf(url, this.options.routes ?? []);
    if (!route || this.closing) return refuse(socket, 404, 'No WebSocket endpoint at this path.');
    const origin = request.headers.origin;
    if (typeof origin === 'string' && this.options.allowOrigin && !this.options.allowOrigin(origin, request.headers.host ?? '')) {
      return refuse(socket, 403, `Origin ${origin} may not open WebSockets here.`);
    }
    const admitted = this.options.admit?.(request.socket.remoteAddress ?? 'unknown');
    if (admitted && !admitted.allowed) return refuse(socket, 429, 'Too many connections; retry later.', admitted.retryAfterMs);
    this.server.handleUpgrade(request, socket, head, (ws) => {
      void this.serve(ws, request, route).catch((error: unknown) => {
        this.deps.logger.error({ err: error }, 'WebSocket session failed');
        ws.terminate();
      });
    });
  };

  private async serve(socket: WebSocket, request: IncomingMessage, route: Route): Promise<void> {
    const connection = new WebSocketConnection(socket, this.deps.clock, this.limits, this.options.observer);
    try {
      await this.open(socket, request, route, connection);
    } catch (error) {
      // A dependency that could not answer (docs/adr/0027) closes with its code, like a returned failure.
      if (!(error instanceof DomainFailureError)) throw error;
      connection.close(closeReasonOf(error.failure.kind), error.failure.message);
    }
  }

  private async open(socket: WebSocket, request: IncomingMessage, route: Route, connection: WebSocketConnection): Promise<void> {
    const { sessions, registry, ids, logger } = this.deps;
    const clientId = ids.next();
    this.sockets.set(socket, { alive: true, connection });
    socket.on('close', () => {
      this.sockets.delete(socket);
      sessions.end(clientId);
    });
    socket.on('error', (error) => logger.debug({ err: error, clientId }, 'WebSocket error'));
    socket.on('pong', () => {
      const state = this.sockets.get(socket);
      if (state) state.alive = true;
      registry.touch(clientId);
    });

    const identity = await this.authenticate(socket, request);
    if (!identity.ok) return connection.close(closeReasonOf(identity.error.kind), identity.error.message);
    if (socket.readyState !== WebSocket.OPEN) return;
    if (!this.holdSlot(socket, identity.value.userId)) {
      return connection.close('too_many', `too many sockets: at most ${this.maxSocketsPerUser} per user`);
    }

    if (route.kind === 'custom') return this.openCustom(socket, route, { clientId, identity: identity.value, connection, url: route.url });
    if (route.lastId === null) return connection.close('policy', 'last_id must be a stream entry id, <ms>-<seq>');
    const input = { clientId, identity: identity.value, connection, ...(route.lastId === undefined ? {} : { lastId: route.lastId }) };
    let opened: Result<unknown, DomainFailure>;
    if (route.kind === 'events') {
      opened = sessions.openEvents(input);
    } else if (route.simulationId === undefined) {
      return connection.close('policy', 'simulation_id (letters, digits, ._:-) is required');
    } else {
      opened = await sessions.watchSimulation({ ...input, simulationId: route.simulationId });
    }
    if (!opened.ok) return connection.close(closeReasonOf(opened.error.kind), opened.error.message);
    // The socket may have closed while the session was opening: its close handler found nothing to end.
    if (socket.readyState !== WebSocket.OPEN) return sessions.end(clientId);
    socket.on('message', (data, isBinary) => {
      registry.touch(clientId);
      if (!isBinary && isPing(data)) connection.send([{ type: 'pong' }], 'essential');
    });
  }

  private async openCustom(socket: WebSocket, route: Extract<Route, { kind: 'custom' }>, input: SocketRouteInput): Promise<void> {
    const opened = await route.route.open(input);
    if (!opened.ok) return input.connection.close(closeReasonOf(opened.error.kind), opened.error.message);
    const session = opened.value;
    if (socket.readyState !== WebSocket.OPEN) return session.end();
    socket.once('close', () => session.end());
    socket.on('message', (data, isBinary) => {
      this.deps.registry.touch(input.clientId);
      if (isBinary) return session.receive(undefined);
      if (isPing(data)) return void input.connection.send([{ type: 'pong' }], 'essential');
      session.receive(parseJson(data));
    });
  }

  /** Counts the socket against its user until it closes; false when the user holds the most allowed (no await between check and count). */
  private holdSlot(socket: WebSocket, userId: string): boolean {
    const held = this.socketsByUser.get(userId) ?? 0;
    if (held >= this.maxSocketsPerUser) return false;
    this.socketsByUser.set(userId, held + 1);
    socket.once('close', () => {
      const left = (this.socketsByUser.get(userId) ?? 1) - 1;
      if (left > 0) this.socketsByUser.set(userId, left);
      else this.socketsByUser.delete(userId);
    });
    return true;
  }

  /** The token of the `Authorization` header, else of the subprotocol, else of the first message. */
  private async authenticate(socket: WebSocket, request: IncomingMessage): Promise<Result<Identity, DomainFailure>> {
    const offered = tokenFromProtocols(request);
    const token =
      tokenFromHeader(request) ??
      (offered !== undefined ? { ok: true as const, value: offered } : await tokenFromFirstMessage(socket, this.authTimeoutMs));
    if (!token.ok) return token;
    return this.deps.authenticator.authenticate(token.value);
  }

  /** Drops sockets that did not answer the previous ping, pings the others. */
  private beat(): void {
    for (const [socket, state] of this.sockets) {
      if (!state.alive) {
        this.options.observer?.closed('unresponsive');
        socket.terminate();
        continue;
      }
      state.alive = false;
      socket.ping();
    }
  }
}

/** `{"type":"ping"}`: an application-level keep-alive for clients (browsers) that cannot send ping frames. */
const isPing = (data: RawData): boolean => {
  try {
    return (JSON.parse(data.toString()) as { type?: unknown } | null)?.type === 'ping';
  } catch {
    return false;
  }
};

const parseJson = (data: RawData): unknown => {
  try {
    return JSON.parse(data.toString()) as unknown;
  } catch {
    return undefined;
  }
};

const lastIdOf = (url: URL): string | null | undefined => {
  const lastId = url.searchParams.get('last_id');
  if (lastId === null || lastId === '') return undefined;
  return isEntryId(lastId) ? lastId : null;
};

const routeOf = (url: URL, routes: readonly SocketRoute[]): Route | undefined => {
  if (url.pathname === WebSocketPaths.events) return { kind: 'events', lastId: lastIdOf(url) };
  const custom = routes.find((route) => route.path === url.pathname);
  if (custom) return { kind: 'custom', route: custom, url };
  if (url.pathname !== WebSocketPaths.simulationStream) return undefined;
  const id = url.searchParams.get('simulation_id') ?? '';
  return { kind: 'simulation', simulationId: SIMULATION_ID.test(id) ? id : undefined, lastId: lastIdOf(url) };
};

/** Answers an upgrade that will not happen with a problem+json response, then closes the connection. */
const refuse = (socket: Duplex, status: number, detail: string, retryAfterMs?: number): void => {
  const reason = STATUS_CODES[status] ?? 'Error';
  const body = JSON.stringify(problem(status, 'websocket_refused', reason, detail).body);
  const retry = retryAfterMs === undefined ? '' : `Retry-After: ${Math.max(1, Math.ceil(retryAfterMs / 1000))}\r\n`;
  const head = `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n${retry}`;
  socket.end(`${head}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
};
