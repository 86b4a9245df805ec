import http from 'node:http';
import http2 from 'node:http2';
import net, { type Socket } from 'node:net';
import { sniffProtocol } from './http2-preface.js';
import { PROBLEM_CONTENT_TYPE, problem } from './http-problem.js';

export type DualProtocolRequestHandler = (
  request: http.IncomingMessage | http2.Http2ServerRequest,
  response: http.ServerResponse | http2.Http2ServerResponse,
) => void;

export interface H2cHttp1ServerOptions {
  /** A connection that has not sent enough bytes to tell its protocol within this time is dropped. */
  readonly prefaceTimeoutMs?: number;
  /** An HTTP/2 session without activity for this long is closed with GOAWAY. */
  readonly http2SessionTimeoutMs?: number;
  /** How long an idle HTTP/1.1 keep-alive connection is kept open. */
  readonly keepAliveTimeoutMs?: number;
  /**
   * A request whose headers and body have not all arrived within this time is answered 408 (HTTP/1.1:
   * then closed; HTTP/2: its stream reset), so a client trickling a body cannot hold a connection.
   * Default 30 000 ms; 0: no limit.
   */
  readonly requestTimeoutMs?: number;
  /** As `requestTimeoutMs`, for the request line and headers of an HTTP/1.1 request. Default 10 000 ms. */
  readonly headersTimeoutMs?: number;
  /** Connections one client address may hold open at once; one more is closed at once. Default 256; 0: no cap. */
  readonly maxConnectionsPerAddress?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 256;

/** HTTP/1.1 events re-emitted on this server while it has listeners for them (else node's defaults apply). */
const RELAYED_HTTP1_EVENTS = ['upgrade', 'clientError'] as const;

/**
 * One TCP port serving HTTP/2 with prior knowledge (h2c) and HTTP/1.1 (including upgrades such as
 * WebSocket). Each new connection is held until its first bytes show whether they are the HTTP/2
 * client preface; the bytes are put back and the socket is handed to an inner `http2` or `http`
 * server, which never listen themselves. See docs/adr "h2c and HTTP/1.1 on one port".
 *
 * `on('upgrade')` and `on('clientError')` on this server receive the inner HTTP/1.1 server's events.
 */
export class H2cHttp1Server extends net.Server {
  readonly http1: http.Server;
  readonly http2: http2.Http2Server;
  readonly #sniffing = new Set<Socket>();
  readonly #sessions = new Set<http2.ServerHttp2Session>();
  readonly #prefaceTimeoutMs: number;
  readonly #requestTimeoutMs: number;
  readonly #maxConnectionsPerAddress: number;
  readonly #connectionsByAddress = new Map<string, number>();
  #closing = false;

  constructor(handler: DualProtocolRequestHandler, options: H2cHttp1ServerOptions = {}) {
    super();
    this.#prefaceTimeoutMs = options.prefaceTimeoutMs ?? 10_000;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#maxConnectionsPerAddress = options.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
    const requestTimeout = this.#requestTimeoutMs;
    // node requires headersTimeout <= requestTimeout (0 is no limit), and checks both every interval.
    const headersTimeout = Math.min(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout || Number.MAX_SAFE_INTEGER);
    const shortest = Math.min(...[headersTimeout, requestTimeout].filter((ms) => ms > 0), 30_000);
    const connectionsCheckingInterval = Math.max(50, Math.floor(shortest / 4));
    this.http1 = http.createServer({ requestTimeout, headersTimeout, connectionsCheckingInterval }, handler);
    this.http1.keepAliveTimeout = options.keepAliveTimeoutMs ?? 72_000;
    this.http2 = http2.createServer(handler);
    const sessionTimeoutMs = options.http2SessionTimeoutMs ?? 72_000;

    this.on('connection', (socket: Socket) => {
      if (this.#admit(socket)) this.#sniff(socket);
    });
    if (requestTimeout > 0) this.http2.on('request', (request, response) => this.#limitRequestTime(request, response));
    // The inner http server tracks connections (for closeIdleConnections and its request timeouts)
    // only once it has seen 'listening'; it never listens itself, so it hears ours.
    this.on('listening', () => {
      this.#closing = false;
      this.http1.emit('listening');
    });
    this.http1.on('request', (_request, response: http.ServerResponse) => {
      response.once('finish', () => {
        if (this.#closing) setImmediate(() => this.http1.closeIdleConnections());
      });
    });
    this.http2.on('session', (session) => {
      this.#sessions.add(session);
      session.once('close', () => this.#sessions.delete(session));
      session.setTimeout(sessionTimeoutMs, () => session.close());
    });
    for (const event of RELAYED_HTTP1_EVENTS) this.#relayWhileListened(event);
  }

  /** Closes connections doing nothing: undecided sockets, idle HTTP/1.1 keep-alive connections. */
  closeIdleConnections(): void {
    for (const socket of this.#sniffing) socket.destroy();
    this.http1.closeIdleConnections();
  }

  /** Sends GOAWAY on every HTTP/2 session; each closes once its open streams have finished. */
  closeHttp2Sessions(): void {
    for (const session of this.#sessions) session.close();
  }

  /** Destroys every connection, busy or not (forced shutdown). Upgraded sockets belong to their owner. */
  closeAllConnections(): void {
    for (const socket of this.#sniffing) socket.destroy();
    this.http1.closeAllConnections();
    for (const session of this.#sessions) session.destroy();
  }

  /** Stops accepting, closes idle connections and HTTP/2 sessions; busy ones close when done. */
  override close(callback?: (error?: Error) => void): this {
    this.#closing = true;
    super.close(callback);
    this.closeIdleConnections();
    this.closeHttp2Sessions();
    this.http1.close(); // stops the inner server's connection-checking timer
    return this;
  }

  /** Counts the connection against its address; past the cap it is closed at once, before a byte is read. */
  #admit(socket: Socket): boolean {
    if (this.#maxConnectionsPerAddress <= 0) return true;
    const address = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const open = this.#connectionsByAddress.get(address) ?? 0;
    if (open >= this.#maxConnectionsPerAddress) {
      socket.destroy();
      return false;
    }
    this.#connectionsByAddress.set(address, open + 1);
    socket.once('close', () => {
      const left = (this.#connectionsByAddress.get(address) ?? 1) - 1;
      if (left > 0) this.#connectionsByAddress.set(address, left);
      else this.#connectionsByAddress.delete(address);
    });
    return true;
  }

  /**
   * An HTTP/2 request with a body must have all of it within the request timeout: a stream is
   * cheap for the client to keep open, so a trickled body is answered 408 and the stream reset.
   */
  #limitRequestTime(request: http2.Http2ServerRequest, response: http2.Http2ServerResponse): void {
    const { stream } = response;
    if (stream.endAfterHeaders) return;
    const timer = setTimeout(() => {
      if (stream.destroyed || stream.closed) return;
      if (response.headersSent) {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        return;
      }
      const body = JSON.stringify(problem(408, 'request_timeout', 'Request Timeout', 'The request body did not arrive in time.').body);
      // Once the answer is written the rest of the body is refused: RST_STREAM NO_ERROR (RFC 9113 §8.1);
      // CANCEL if the answer cannot even be written within a second (the client reads nothing either).
      response.writeHead(408, { 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
      response.end(body, () => stream.close(http2.constants.NGHTTP2_NO_ERROR));
      setTimeout(() => stream.close(http2.constants.NGHTTP2_CANCEL), 1_000).unref();
    }, this.#requestTimeoutMs);
    timer.unref();
    const done = (): void => clearTimeout(timer);
    request.once('end', done);
    response.once('finish', done);
    stream.once('close', done);
  }

  #sniff(socket: Socket): void {
    this.#sniffing.add(socket);
    let received = Buffer.alloc(0);
    const drop = (): void => {
      socket.destroy();
    };
    // A deadline, not an idle timeout: a preface trickled a byte at a time must not hold the socket.
    const deadline = setTimeout(drop, this.#prefaceTimeoutMs);
    deadline.unref();
    const stopSniffing = (): void => {
      clearTimeout(deadline);
      socket.off('readable', onReadable);
      socket.off('end', drop);
      socket.off('error', drop);
      socket.off('close', stopSniffing);
      this.#sniffing.delete(socket);
    };
    const onReadable = (): void => {
      for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {
        received = Buffer.concat([received, chunk]);
      }
      const protocol = sniffProtocol(received);
      if (protocol === 'undecided') return;
      stopSniffing();
      socket.unshift(received);
      (protocol === 'http2' ? this.http2 : this.http1).emit('connection', socket);
    };
    socket.on('readable', onReadable);
    socket.on('end', drop); // closed before it said enough to be served
    socket.on('error', drop); // nobody to answer: the peer is gone
    socket.once('close', stopSniffing);
  }

  #relayWhileListened(event: (typeof RELAYED_HTTP1_EVENTS)[number]): void {
    const relay = (...args: unknown[]): boolean => this.emit(event, ...args);
    this.on('newListener', (name: string | symbol) => {
      if (name === event && this.listenerCount(event) === 0) this.http1.on(event, relay);
    });
    this.on('removeListener', (name: string | symbol) => {
      if (name === event && this.listenerCount(event) === 0) this.http1.off(event, relay);
    });
  }
}
