import type http from 'node:http';
import { fastify, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../observability/logger.js';
import { H2cHttp1Server, type DualProtocolRequestHandler, type H2cHttp1ServerOptions } from './h2c-http1-server.js';
import { refuseBadClientInput } from './client-input.js';
import { OneLineRequestLog } from './one-line-request-log.js';
import { installProblemHandlers, problemForError, sendProblem, writeClientErrorProblem } from './problem-handlers.js';
import type { Tracer } from '../observability/tracing/spans.js';
import { endHttpServerSpans } from './http-server-spans.js';
import { recordingRequestId, REQUEST_ID_HEADER, runRequestsInTheirTrace, tracedRequestId } from './request-id.js';

export interface HttpAppOptions {
  readonly logger: Logger;
  /** Largest accepted request body in bytes (default 1 MiB); larger ones get a 413 problem. */
  readonly bodyLimit?: number;
  readonly server?: H2cHttp1ServerOptions;
  /** Records a server span per request and the spans of its hops (docs/adr/0048); absent: none. */
  readonly tracer?: Tracer | undefined;
}

/**
 * A fastify instance serving h2c (prior knowledge) and HTTP/1.1 on one port, with problem+json
 * errors and one log line per request. Register routes, then `listenHttp` and `close()`.
 *
 * `app.server` is an `H2cHttp1Server`, typed as fastify's default `http.Server` so route modules
 * take a plain `FastifyInstance`; `request.raw` is an `Http2ServerRequest` for HTTP/2 requests.
 * `app.server.on('upgrade', ...)` receives HTTP/1.1 upgrades (WebSocket).
 */
export const createHttpApp = (options: HttpAppOptions): FastifyInstance => {
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app = fastify({
    loggerInstance,
    logController: new OneLineRequestLog(),
    // The request id is the caller's x-request-id, else its trace id (docs/adr/0019).
    genReqId: options.tracer ? recordingRequestId(options.tracer) : tracedRequestId,
    bodyLimit: options.bodyLimit ?? 1_048_576,
    // No coercion, no silent removal: a body's `[token]` is not a token, an unknown field is a 400 (docs/adr/0029).
    ajv: { customOptions: { allErrors: true, coerceTypes: false, removeAdditional: false } },
    clientErrorHandler: writeClientErrorProblem,
    // Errors found before routing (an undecodable URL, an overlong parameter) skip hooks and handlers.
    frameworkErrors: (error, request, reply) => {
      reply.header(REQUEST_ID_HEADER, request.id);
      sendProblem(request, reply, problemForError(error).problem);
    },
    // fastify's handler serves both request types (it checks httpVersionMajor per reply); only its
    // type names the http1 ones. The server is cast for the same reason (see the TSDoc above).
    serverFactory: (handler) => new H2cHttp1Server(handler as DualProtocolRequestHandler, options.server) as unknown as http.Server,
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  runRequestsInTheirTrace(app);
  if (options.tracer) endHttpServerSpans(app);
  installProblemHandlers(app);
  refuseBadClientInput(app);
  return app;
};
