import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { SpanStatusCode } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseTraceparent, TRACEPARENT } from '../observability/trace-context.js';
import {
  CLIENT_ADDRESS,
  ERROR_TYPE,
  HTTP_REQUEST_METHOD,
  HTTP_RESPONSE_STATUS_CODE,
  HTTP_ROUTE,
  NETWORK_PROTOCOL_VERSION,
  SERVER_PORT,
  URL_PATH,
  URL_SCHEME,
  USER_AGENT_ORIGINAL,
} from '../observability/tracing/semantic-attributes.js';
import { SpanKind, startSpan, type Span, type Tracer } from '../observability/tracing/spans.js';

/** What a server span needs of the raw request (HTTP/1.1 or HTTP/2). */
export interface RawRequest {
  readonly headers: IncomingHttpHeaders;
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly httpVersion?: string;
  readonly socket?: Socket | null;
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/**
 * Each request's server span, from `startHttpServerSpan` to the response, on the raw request under
 * a symbol of ours (not a WeakMap: one ephemeron less per request for the garbage collector).
 */
const SPAN = Symbol('meshwork.serverSpan');

type WithSpan = { [SPAN]?: Span | undefined };

/** Takes the server span off `raw`: it is ended once. */
const takeSpan = (raw: object): Span | undefined => {
  const span = (raw as WithSpan)[SPAN];
  if (span) (raw as WithSpan)[SPAN] = undefined;
  return span;
};

/**
 * Starts the server span of a request (docs/adr/0048), a child of the client's `traceparent` when
 * it sent a valid one. It is named `METHOD` until the route is known, then `METHOD /route`.
 */
export const startHttpServerSpan = (tracer: Tracer, raw: RawRequest): Span => {
  const method = raw.method !== undefined && KNOWN_METHODS.has(raw.method) ? raw.method : '_OTHER';
  const span = startSpan(
    tracer,
    method,
    SpanKind.SERVER,
    parseTraceparent(raw.headers[TRACEPARENT]),
    () => attributesOf(raw, method),
    true,
  );
  if (span.isRecording()) (raw as WithSpan)[SPAN] = span;
  return span;
};

const attributesOf = (raw: RawRequest, method: string): Record<string, string | number> => {
  const attributes: Record<string, string | number> = {
    [HTTP_REQUEST_METHOD]: method,
    [URL_PATH]: raw.url?.split('?', 1)[0] ?? '/',
    [URL_SCHEME]: 'http',
    [NETWORK_PROTOCOL_VERSION]: raw.httpVersion === '2.0' ? '2' : (raw.httpVersion ?? '1.1'),
  };
  if (raw.socket?.localPort !== undefined) attributes[SERVER_PORT] = raw.socket.localPort;
  if (raw.socket?.remoteAddress !== undefined) attributes[CLIENT_ADDRESS] = raw.socket.remoteAddress;
  const agent = raw.headers['user-agent'];
  if (typeof agent === 'string') attributes[USER_AGENT_ORIGINAL] = agent;
  return attributes;
};

/** Ends each request's server span when its response is sent (or the client went away): route, status, error for 5xx. */
export const endHttpServerSpans = (app: FastifyInstance): void => {
  app.addHook('onResponse', (request, reply, done) => {
    const span = takeSpan(request.raw);
    if (span) {
      end(span, request, reply.statusCode);
    }
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    const span = takeSpan(request.raw);
    if (span) {
      span.setAttribute(ERROR_TYPE, 'aborted');
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed the request' });
      end(span, request, undefined);
    }
    done();
  });
};

const end = (span: Span, request: FastifyRequest, status: number | undefined): void => {
  const route = request.routeOptions.url;
  if (route !== undefined) {
    span.setAttribute(HTTP_ROUTE, route);
    span.updateName(`${request.method} ${route}`);
  }
  if (status !== undefined) {
    span.setAttribute(HTTP_RESPONSE_STATUS_CODE, status);
    // A 4xx is the client's mistake, not the server's failure (semantic conventions for server spans).
    if (status >= 500) {
      span.setAttribute(ERROR_TYPE, String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }
  span.end();
};
