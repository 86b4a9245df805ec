import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { DomainFailureError, type FieldViolation } from '../../core/shared/errors.js';
import { dependencyOutage } from '../faults/dependency-outage.js';
import { PROBLEM_CONTENT_TYPE, problem, toHttpProblem, type HttpProblem } from './http-problem.js';

/** The problem for an error reaching the HTTP boundary; `fault` marks the unexpected ones (logged, 500). */
export const problemForError = (error: unknown): { readonly problem: HttpProblem; readonly fault: boolean } => {
  if (error instanceof DomainFailureError) return { problem: toHttpProblem(error.failure), fault: false };
  const outage = dependencyOutage(error);
  if (outage) return { problem: toHttpProblem(outage), fault: false };
  const transport = transportProblem(error);
  return transport
    ? { problem: transport, fault: false }
    : { problem: problem(500, 'internal', 'Internal server error', 'The request could not be completed.'), fault: true };
};

/** Routes every error and unknown route of `app` to an `application/problem+json` response. */
export const installProblemHandlers = (app: FastifyInstance): void => {
  app.setErrorHandler((error, request, reply) => {
    const { problem: outcome, fault } = problemForError(error);
    if (fault) request.log.error({ err: error }, 'request failed');
    else if (outcome.status === 503) request.log.warn({ err: error }, 'dependency unavailable');
    return sendProblem(request, reply, outcome);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, problem(404, 'route_not_found', 'Not found', 'No route matches this method and path.')),
  );
};

export const sendProblem = (request: FastifyRequest, reply: FastifyReply, outcome: HttpProblem): FastifyReply => {
  // fastify asks to close the connection after a body error; HTTP/2 forbids that header (RFC 9113 §8.2.2).
  if (request.raw.httpVersionMajor === 2) reply.removeHeader('connection');
  return (
    reply
      .code(outcome.status)
      .headers(outcome.headers)
      .type(PROBLEM_CONTENT_TYPE)
      // Serialised here so a route's response schema for this status cannot reshape the problem.
      .send(JSON.stringify({ ...outcome.body, instance: pathOf(request.url) }))
  );
};

interface FastifyLikeError {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly message?: unknown;
  readonly validation?: FastifySchemaValidationError[];
  readonly validationContext?: string;
}

/** Errors fastify raises for a bad request: schema validation, unreadable bodies, and its own 4xx. */
const transportProblem = (error: unknown): HttpProblem | undefined => {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode, message, validation, validationContext } = error as FastifyLikeError;
  if (Array.isArray(validation)) {
    const errors = validation.map((issue) => violationOf(issue, validationContext ?? 'body'));
    return problem(400, 'validation_failed', 'Invalid request', 'The request does not match its schema.', errors);
  }
  if (typeof code !== 'string' || !code.startsWith('FST_ERR_')) return undefined;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(413, 'payload_too_large', 'Payload too large', 'The request body exceeds the size limit.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(415, 'unsupported_media_type', 'Unsupported media type', 'This content type is not accepted.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem(400, 'malformed_body', 'Malformed body', 'The request body is not valid JSON.');
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const title = STATUS_CODES[statusCode] ?? 'Bad Request';
    return problem(statusCode, 'request_rejected', title, typeof message === 'string' ? message : title);
  }
  return undefined;
};

/** Body fields are named by their path (`address.city`); other parts carry their prefix (`params.id`). */
const violationOf = (issue: FastifySchemaValidationError, context: string): FieldViolation => {
  const path = issue.instancePath.split('/').slice(1).map(unescapePointer);
  const named = issue.params['missingProperty'] ?? issue.params['additionalProperty'];
  if (typeof named === 'string') path.push(named);
  const field = context === 'body' ? path.join('.') || 'body' : [context, ...path].join('.');
  return { field, message: issue.message ?? issue.keyword };
};

const unescapePointer = (segment: string): string => segment.replaceAll('~1', '/').replaceAll('~0', '~');

const pathOf = (url: string): string => url.split('?', 1)[0] ?? url;

const CLIENT_ERROR_STATUS: Readonly<Record<string, number>> = { ERR_HTTP_REQUEST_TIMEOUT: 408, HPE_HEADER_OVERFLOW: 431 };

/**
 * fastify's `clientErrorHandler`: an HTTP/1.1 request too broken to reach routing (bad request line,
 * oversized headers, timeout) still gets a problem response before the connection closes.
 */
export const writeClientErrorProblem = (error: Error & { code?: string }, socket: Duplex): void => {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400;
  const reason = STATUS_CODES[status] ?? 'Bad Request';
  const detail = status === 408 ? 'The request did not arrive in time.' : 'The request could not be parsed.';
  const body = JSON.stringify(problem(status, 'client_error', reason, detail).body);
  const head = `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n`;
  socket.end(`${head}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`, () => socket.destroy());
};
