import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { continueTrace, formatTraceparent, TRACEPARENT, type TraceContext } from '../observability/trace-context.js';
import { runInScope, type RequestScope } from '../observability/trace-context-scope.js';
import { traceOfSpan, type Tracer } from '../observability/tracing/spans.js';
import { startHttpServerSpan, type RawRequest } from './http-server-spans.js';

export const REQUEST_ID_HEADER = 'x-request-id';
export const TRACEPARENT_HEADER = TRACEPARENT;

/** Letters, digits and `._:-`, up to 128: safe to log and to echo in a header. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id of a request: the caller's `x-request-id` when it is a sane token (so one id follows a
 * request across services), else a fresh UUID.
 */
export const requestIdFrom = (header: string | string[] | undefined, generate: () => string = randomUUID): string =>
  typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : generate();

/** Each request's scope, from `tracedRequestId` to the end of the response; keyed by the raw request. */
const scopes = new WeakMap<object, RequestScope>();

/**
 * fastify's `genReqId`: starts the request's span (in the caller's trace when it sent a valid
 * `traceparent`, else in a new one) and names the request by the caller's `x-request-id`, else by
 * the trace id, so that a request's id and its trace are one id unless the caller chose otherwise.
 */
export const tracedRequestId = (raw: { readonly headers: IncomingHttpHeaders }): string =>
  nameRequest(raw, { trace: continueTrace(raw.headers[TRACEPARENT_HEADER]) });

/**
 * `tracedRequestId` when traces are exported (docs/adr/0048): the request's span is a server span
 * recorded by `tracer`, whose ids the SDK makes, and the request's work records its hops with it.
 */
export const recordingRequestId =
  (tracer: Tracer) =>
  (raw: RawRequest): string =>
    nameRequest(raw, { trace: traceOfSpan(startHttpServerSpan(tracer, raw)), tracer });

const nameRequest = (raw: { readonly headers: IncomingHttpHeaders }, scope: RequestScope & { readonly trace: TraceContext }): string => {
  scopes.set(raw, scope);
  return requestIdFrom(raw.headers[REQUEST_ID_HEADER], () => scope.trace.traceId);
};

/** The span of a request named by `tracedRequestId`. */
export const requestTrace = (request: FastifyRequest): TraceContext | undefined => scopes.get(request.raw)?.trace;

/**
 * Answers every request with its `traceparent` (our span, for the client's own logs) and runs its
 * hooks and handler in its trace, so their log lines and downstream calls carry it. The scope is
 * entered again before validation because a body may be read in the socket's async context rather
 * than the request's (as @fastify/request-context does; current Node keeps it, older ones did not).
 */
export const runRequestsInTheirTrace = (app: FastifyInstance): void => {
  app.addHook('onRequest', (request, reply, done) => {
    const scope = scopes.get(request.raw);
    if (!scope?.trace) return done();
    reply.header(TRACEPARENT_HEADER, formatTraceparent(scope.trace));
    runInScope(scope, done);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    const scope = scopes.get(request.raw);
    if (scope) runInScope(scope, done);
    else done();
  });
};
