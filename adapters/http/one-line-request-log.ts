import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * fastify logs "incoming request" and "request completed" per request; we keep one line, written
 * when the response is done, carrying the request id (as `requestId`) and the negotiated protocol.
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
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
