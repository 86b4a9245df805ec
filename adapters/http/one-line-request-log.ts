import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { requestTrace } from './request-id.js';

/**
 * fastify logs "incoming request" and "request completed" per request; we keep one line, written
 * when the response is done, carrying the request id (as `requestId`), its `trace_id` (the line is
 * written after the handler's scope has ended, so the logger's mixin cannot add it) and the
 * negotiated protocol.
 */
export class OneLineRequestLog extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'requestId' });
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      url: request.url,
      httpVersion: request.raw.httpVersion,
      statusCode: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime),
      trace_id: requestTrace(request)?.traceId,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
