import type { FastifyReply, FastifyRequest } from 'fastify';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyOf } from '../client-api/idempotency-key-header.js';
import type { Dispatcher } from 'undici';
import { DomainFailureError, failure } from '../../../core/shared/errors.js';
import { outgoingTraceparent } from '../../observability/trace-context-scope.js';
import {
  HTTP_REQUEST_METHOD,
  HTTP_RESPONSE_STATUS_CODE,
  SERVER_ADDRESS,
  SERVER_PORT,
  URL_FULL,
} from '../../observability/tracing/semantic-attributes.js';
import { failSpan, SpanKind, startHopSpan, traceparentOfSpan, type Span } from '../../observability/tracing/spans.js';
import { FORWARDED_ADDRESS_HEADER, type ForwardedAddressSigner } from '../forwarded-address.js';
import { REQUEST_ID_HEADER } from '../request-id.js';

/** A request to pass on: where, and the body when it is not the client's own. */
export interface ForwardRequest {
  /** Service name, for messages. */
  readonly service: string;
  /** `host:port` of the service's HTTP/2 port. */
  readonly target: string;
  readonly path: string;
  readonly method?: Dispatcher.HttpMethod;
  /** Default: the client's body as received (a Buffer, or JSON re-encoded). */
  readonly body?: unknown;
}

const REQUEST_HEADERS = ['authorization', 'content-type', 'accept', 'accept-language'] as const;
const RESPONSE_HEADERS = ['content-type', 'content-disposition', 'www-authenticate', 'retry-after', 'location', 'cache-control'] as const;

/**
 * Passes client requests on to a service's HTTP/2 port (h2c, one undici Agent) where no rpc exists,
 * and the answer back unchanged: status, body, problem+json, and the same `x-request-id`.
 * A service that does not answer in time is a 503 problem.
 */
export class HttpForwarder {
  constructor(
    private readonly dispatcher: Dispatcher,
    /** How long each service may take to answer (the gateway's deadline of its calls to it); `default` for the others. */
    private readonly timeoutsMs: { readonly default: number; readonly [service: string]: number },
    /** Signs the client's address for the auth service, which believes no other (docs/adr/0035). */
    private readonly addressSigner?: ForwardedAddressSigner,
  ) {}

  async forward(request: FastifyRequest, reply: FastifyReply, to: ForwardRequest): Promise<FastifyReply> {
    const body = encodeBody(to.body === undefined ? request.body : to.body);
    const headers: Record<string, string> = { [REQUEST_ID_HEADER]: request.id };
    for (const name of REQUEST_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    // A write's key as the client sent it or as the gateway made it (docs/adr/0058).
    const idempotencyKey = idempotencyKeyOf(request);
    if (idempotencyKey !== undefined) headers[IDEMPOTENCY_KEY_HEADER] = idempotencyKey;
    // The auth service throttles logins per client address; it believes only the signed one.
    headers['x-forwarded-for'] = request.ip;
    if (this.addressSigner) headers[FORWARDED_ADDRESS_HEADER] = this.addressSigner.sign(request.ip);
    const method = to.method ?? (request.method as Dispatcher.HttpMethod);
    const span = clientSpan(method, to);
    const traceparent = span ? traceparentOfSpan(span) : outgoingTraceparent();
    if (traceparent !== undefined) headers.traceparent = traceparent;
    if (to.body !== undefined) headers['content-type'] = 'application/json';
    if (body === undefined) delete headers['content-type'];

    let answer: Dispatcher.ResponseData;
    let payload: Buffer;
    try {
      answer = await this.dispatcher.request({
        origin: `http://${to.target}`,
        path: to.path,
        method,
        headers,
        body,
        headersTimeout: this.timeoutsMs[to.service] ?? this.timeoutsMs.default,
        bodyTimeout: this.timeoutsMs[to.service] ?? this.timeoutsMs.default,
      });
      payload = Buffer.from(await answer.body.arrayBuffer());
    } catch (error) {
      if (span) {
        failSpan(span, error);
        span.end();
      }
      // `service` names the gateway on its own lines; the other side of the call is the `target`.
      request.log.warn({ err: error, target: to.service, address: to.target }, 'forwarding failed');
      throw unavailable(to.service);
    }
    if (span) {
      span.setAttribute(HTTP_RESPONSE_STATUS_CODE, answer.statusCode);
      if (answer.statusCode >= 400) failSpan(span, undefined, String(answer.statusCode));
      span.end();
    }
    for (const name of RESPONSE_HEADERS) {
      const value = answer.headers[name];
      if (value !== undefined) reply.header(name, value);
    }
    return reply.code(answer.statusCode).send(payload.length > 0 ? payload : undefined);
  }
}

/** The client span of a forwarded request (docs/adr/0048), when the request records spans. */
const clientSpan = (method: string, to: ForwardRequest): Span | undefined => {
  const [host = to.target, port] = to.target.split(/:(?=\d+$)/);
  return startHopSpan(method, SpanKind.CLIENT, {
    [HTTP_REQUEST_METHOD]: method,
    [SERVER_ADDRESS]: host,
    ...(port !== undefined && { [SERVER_PORT]: Number(port) }),
    [URL_FULL]: `http://${to.target}${to.path.split('?', 1)[0]}`,
  });
};

const encodeBody = (body: unknown): Buffer | string | undefined => {
  if (body === undefined || body === null) return undefined;
  if (Buffer.isBuffer(body)) return body.length > 0 ? body : undefined;
  return JSON.stringify(body);
};

const unavailable = (service: string) =>
  new DomainFailureError(failure('unavailable', 'dependency_unavailable', `The ${service} service did not answer; try again later.`));
