import { status, type handleUnaryCall, type sendUnaryData, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { SpanStatusCode } from '@opentelemetry/api';
import { parseTraceparent, TRACEPARENT, type TraceContext } from '../observability/trace-context.js';
import {
  CLIENT_ADDRESS,
  ERROR_TYPE,
  RPC_GRPC_STATUS_CODE,
  RPC_METHOD,
  RPC_SERVICE,
  RPC_SYSTEM,
  SERVER_ADDRESS,
  SERVER_PORT,
} from '../observability/tracing/semantic-attributes.js';
import { recordingScope, SpanKind, startSpan, traceOfSpan, type Span, type Tracer } from '../observability/tracing/spans.js';

/** `/auth.AuthService/CheckPermission` as the span's name and attributes; cached per path. */
interface RpcName {
  readonly name: string;
  readonly service: string;
  readonly method: string;
}

const names = new Map<string, RpcName>();

export const rpcNameOf = (path: string): RpcName => {
  let known = names.get(path);
  if (!known) {
    const [service = '', method = ''] = path.replace(/^\//, '').split('/', 2);
    known = { name: `${service}/${method}`, service, method };
    if (names.size < 1_000) names.set(path, known);
  }
  return known;
};

const rpcAttributes = (rpc: RpcName) => ({ [RPC_SYSTEM]: 'grpc', [RPC_SERVICE]: rpc.service, [RPC_METHOD]: rpc.method });

/** Codes that mean the server failed, for a server span (semantic conventions for gRPC); any non-OK code fails a client span. */
const SERVER_ERRORS: ReadonlySet<number> = new Set([
  status.UNKNOWN,
  status.DEADLINE_EXCEEDED,
  status.UNIMPLEMENTED,
  status.INTERNAL,
  status.UNAVAILABLE,
  status.DATA_LOSS,
]);

/** Sets the gRPC status of a finished call on its span, failed as the span's kind says, and ends it. */
export const endRpcSpan = (span: Span, code: number, kind: 'client' | 'server', message?: string): void => {
  span.setAttribute(RPC_GRPC_STATUS_CODE, code);
  if (kind === 'client' ? code !== status.OK : SERVER_ERRORS.has(code)) {
    span.setAttribute(ERROR_TYPE, status[code] ?? String(code));
    span.setStatus({ code: SpanStatusCode.ERROR, ...(message !== undefined && { message }) });
  }
  span.end();
};

/** The server span of a call being served and its tracer: the handler adapter runs the handler in it. */
export interface ServedSpan {
  readonly trace: TraceContext;
  readonly tracer: Tracer;
}

/**
 * The served span rides on the call object under a symbol of ours: a WeakMap entry per call would
 * be one more ephemeron for every garbage collection to trace (docs/adr/0069).
 */
const SERVED = Symbol('meshwork.servedSpan');

type Served = { [SERVED]?: ServedSpan };

/** The span `tracedUnaryMethods` started for `call`, if any (read by `unaryHandler`). */
export const servedSpanOf = (call: object): ServedSpan | undefined => (call as Served)[SERVED];

/**
 * The implementation with a server span around each unary method (docs/adr/0048): a child of the
 * caller's `traceparent`, ended with the status the handler answered. Streaming methods are left as they are.
 */
export const tracedUnaryMethods = (
  definition: ServiceDefinition,
  implementation: UntypedServiceImplementation,
  tracer: Tracer,
): UntypedServiceImplementation =>
  Object.fromEntries(
    Object.entries(implementation).map(([name, handler]) => {
      const method = definition[name];
      if (!method || method.requestStream || method.responseStream) return [name, handler];
      return [name, tracedUnary(tracer, rpcNameOf(method.path), handler as handleUnaryCall<unknown, unknown>)];
    }),
  );

const tracedUnary =
  (tracer: Tracer, rpc: RpcName, handler: handleUnaryCall<unknown, unknown>): handleUnaryCall<unknown, unknown> =>
  (call, callback) => {
    const parent = parseTraceparent(call.metadata.get(TRACEPARENT)[0] as string | undefined);
    const span = startSpan(tracer, rpc.name, SpanKind.SERVER, parent, () => ({ ...serverSpanAttributes(rpc, call.getPeer()) }), true);
    (call as Served)[SERVED] = { trace: traceOfSpan(span), tracer };
    const answer: sendUnaryData<unknown> = (error, value, trailer, flags) => {
      endRpcSpan(span, error ? (error.code ?? status.UNKNOWN) : status.OK, 'server', error?.details ?? undefined);
      callback(error, value, trailer, flags);
    };
    handler(call, answer);
  };

/**
 * A server span's attributes for a call from `peer` (`ipv4:127.0.0.1:53412`, `ipv6:[::1]:53412`):
 * the rpc's and the client's address, made once per rpc and peer, copied by each span as its own.
 */
const serverSpanAttributes = (rpc: RpcName, peer: string): Record<string, string> =>
  remembered(templatesOf(serverTemplates, rpc), peer, (): Record<string, string> => {
    const match = /^(?:ipv[46]:)?\[?([^\]]*?)\]?:\d+$/.exec(peer);
    return { ...rpcAttributes(rpc), ...(match?.[1] && { [CLIENT_ADDRESS]: match[1] }) };
  });

/** Attributes of spans by rpc, then peer (server) or address (client): a span copies them, never changes them. */
const serverTemplates = new Map<RpcName, Map<string, Record<string, string>>>();
const clientTemplates = new Map<RpcName, Map<string, Record<string, string | number>>>();
const addresses = new Map<string, Record<string, string | number>>();

/** The templates of `rpc`: a map kept while there are fewer than 1,000 rpcs, else a new one (nothing kept). */
const templatesOf = <T>(templates: Map<RpcName, Map<string, T>>, rpc: RpcName): Map<string, T> => {
  let known = templates.get(rpc);
  if (!known) {
    known = new Map();
    if (templates.size < 1_000) templates.set(rpc, known);
  }
  return known;
};

/**
 * `parse(key)`, kept for the next span while the map holds fewer than 1,000 (peers change with
 * connections, not calls). Not frozen: a frozen object is copied by V8's slow path.
 */
const remembered = <T>(map: Map<string, T>, key: string, parse: (key: string) => T): T => {
  let value = map.get(key);
  if (value === undefined) {
    value = parse(key);
    if (map.size < 1_000) map.set(key, value);
  }
  return value;
};

/**
 * A client span of the unary call `path` (to `address`, `host:port`, when known) under the current
 * work's span, or undefined when the work records none (no tracer in scope: nothing is built).
 */
export const startRpcClientSpan = (path: string, address?: string): Span | undefined => {
  const scope = recordingScope();
  if (!scope) return undefined;
  const rpc = rpcNameOf(path);
  const template = remembered(templatesOf(clientTemplates, rpc), address ?? '', () => ({
    ...rpcAttributes(rpc),
    ...(address !== undefined && serverAttributes(address)),
  }));
  return startSpan(scope.tracer, rpc.name, SpanKind.CLIENT, scope.trace, { ...template });
};

/** `server.address` and `server.port` of `host:port` (an IPv6 host in brackets). */
export const serverAttributes = (address: string): Record<string, string | number> =>
  remembered(addresses, address, (): Record<string, string | number> => {
    const match = /^\[?(.*?)\]?:(\d+)$/.exec(address);
    const attributes: Record<string, string | number> = match
      ? { [SERVER_ADDRESS]: match[1]!, [SERVER_PORT]: Number(match[2]) }
      : { [SERVER_ADDRESS]: address };
    return Object.freeze(attributes);
  });
