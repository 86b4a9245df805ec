import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest, RouteGenericInterface } from 'fastify';
import type { IdempotentWrites, WriteRun } from '../../core/idempotency/idempotent-writes.js';
import { DomainFailureError } from '../../core/shared/errors.js';
import { runInWriteScope, type WriteScope } from '../idempotency/write-scope.js';
import { checkedIdempotencyKey, IDEMPOTENCY_KEY_HEADER } from './client-api/idempotency-key-header.js';
import { PROBLEM_CONTENT_TYPE, toHttpProblem } from './http-problem.js';

/** What a remembered write answers, as it is stored and sent again: status, headers and a JSON body. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** Longest a repeat waits for the answer of an attempt with the same key that is still running. */
const WAIT_FOR_OTHER_ATTEMPT_MS = 5_000;

/**
 * A write route of a service's HTTP port made idempotent by the request's `Idempotency-Key`
 * (docs/adr/0058, 0064), as `withIdempotentWrites` does for gRPC: the key, scoped by `scopeOf` (whose
 * request it is), is recorded in the write's own transaction when the store can; the answer is
 * remembered; a repeat with the same key and request is answered the same without running; the same key
 * with another request is refused (409 `idempotency_key_reused`). Without the header, `handle` just runs.
 */
export const rememberedWrite =
  <G extends RouteGenericInterface>(
    writes: IdempotentWrites,
    scopeOf: (request: FastifyRequest) => string,
    handle: (request: FastifyRequest<G>) => Promise<HttpAnswer>,
  ) =>
  async (request: FastifyRequest<G>, reply: FastifyReply): Promise<FastifyReply> => {
    const sent = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (sent === undefined) return send(reply, await handle(request));
    const key = `${scopeOf(request)}:${checkedIdempotencyKey(sent)}`;
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.url}\0`)
      .update(JSON.stringify(request.body ?? null))
      .digest('base64url');
    const scope: WriteScope = { owner: writes.store, key, fingerprint, recorded: false, taken: false };
    const answer = await writes.run({ key, fingerprint, waitUntil: Date.now() + WAIT_FOR_OTHER_ATTEMPT_MS }, () =>
      runInWriteScope(scope, () => attempt(request, scope, handle)),
    );
    if (answer.kind === 'refused') throw new DomainFailureError(answer.failure);
    if (answer.kind === 'answered' && answer.unremembered !== undefined) {
      request.log.warn({ err: answer.unremembered }, 'write answered, but its outcome was not remembered');
    }
    return send(reply, JSON.parse(answer.outcome) as HttpAnswer);
  };

const attempt = async <G extends RouteGenericInterface>(
  request: FastifyRequest<G>,
  scope: WriteScope,
  handle: (request: FastifyRequest<G>) => Promise<HttpAnswer>,
): Promise<WriteRun> => {
  try {
    const answer = await handle(request);
    return scope.taken ? { kind: 'taken' } : { kind: 'answered', outcome: JSON.stringify(answer), remember: true };
  } catch (error) {
    if (scope.taken) return { kind: 'taken' };
    // A refusal after the write committed is that write's answer; one before it is judged afresh next time.
    if (!scope.recorded || !(error instanceof DomainFailureError)) throw error;
    const problem = toHttpProblem(error.failure);
    const stored: HttpAnswer = {
      status: problem.status,
      headers: { ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE },
      body: problem.body,
    };
    return { kind: 'answered', outcome: JSON.stringify(stored), remember: true };
  }
};

const send = (reply: FastifyReply, answer: HttpAnswer): FastifyReply =>
  reply
    .code(answer.status)
    .headers(answer.headers ?? {})
    .send(answer.body);
