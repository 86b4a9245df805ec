import { createHash } from 'node:crypto';
import {
  Metadata,
  status,
  type handleUnaryCall,
  type MethodDefinition,
  type ServiceDefinition,
  type StatusObject,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { checkIdempotencyKey, MAX_SCOPED_IDEMPOTENCY_KEY_LENGTH } from '../../core/idempotency/idempotency-key.js';
import type { IdempotentWrites } from '../../core/idempotency/idempotent-writes.js';
import type { Logger } from '../observability/logger.js';
import { dependencyOutage } from '../faults/dependency-outage.js';
import { runInWriteScope, type WriteScope } from '../idempotency/write-scope.js';
import { IDEMPOTENCY_KEY_METADATA } from './mesh/mesh-client.js';
import { methodSafety } from './mesh/method-safety.js';
import { toGrpcStatus } from './to-grpc-status.js';

/** Longest this server waits for another attempt's answer when the call has no deadline. */
const DEFAULT_WAIT_MS = 5_000;

/** How an outcome is stored: the response's protobuf bytes, or the status it failed with and its trailers. */
type StoredOutcome =
  | { readonly ok: true; readonly response: string }
  | { readonly ok: false; readonly code: number; readonly details: string; readonly trailers: Readonly<Record<string, string>> };

/** Per method name (`createProject`), the response a write answers, from the domain value it stored. */
export type AnswersFromWrites = Readonly<Record<string, (written: unknown) => unknown>>;

/**
 * The service's implementation with every unary write (METHOD_SAFETY) made idempotent by its
 * `idempotency-key` metadata (docs/adr/0058): the first call with a key runs, inside a scope that
 * lets the store record the key in the write's transaction (with the answer too, for the methods in
 * `answers`); its answer is remembered; a repeat with the same key and the same request gets that
 * answer again, without running; the same key with another request is refused (ALREADY_EXISTS,
 * `idempotency_key_reused`). Calls without the metadata run as before.
 */
export const withIdempotentWrites = (
  definition: ServiceDefinition,
  implementation: UntypedServiceImplementation,
  writes: IdempotentWrites,
  logger: Logger,
  answers: AnswersFromWrites = {},
): UntypedServiceImplementation => {
  const wrapped: UntypedServiceImplementation = { ...implementation };
  for (const [name, method] of Object.entries(definition)) {
    const handler = implementation[name];
    if (!handler || method.requestStream || method.responseStream || methodSafety(method.path) !== 'write') continue;
    const answer = answers[name];
    const answerFromWrite = answer && ((written: unknown) => encodedResponse(method, answer(written)));
    wrapped[name] = idempotent(method, handler as handleUnaryCall<unknown, unknown>, writes, logger, answerFromWrite);
  }
  return wrapped;
};

const encodedResponse = (method: MethodDefinition<unknown, unknown>, response: unknown): string =>
  JSON.stringify({ ok: true, response: method.responseSerialize(response).toString('base64') } satisfies StoredOutcome);

const idempotent =
  (
    method: MethodDefinition<unknown, unknown>,
    handler: handleUnaryCall<unknown, unknown>,
    writes: IdempotentWrites,
    logger: Logger,
    answerFromWrite: ((written: unknown) => string) | undefined,
  ): handleUnaryCall<unknown, unknown> =>
  (call, callback) => {
    const sent = call.metadata.get(IDEMPOTENCY_KEY_METADATA)[0];
    if (sent === undefined) return handler(call, callback);
    const key = checkIdempotencyKey(IDEMPOTENCY_KEY_METADATA, String(sent), MAX_SCOPED_IDEMPOTENCY_KEY_LENGTH);
    if (!key.ok) return callback({ code: status.INVALID_ARGUMENT, details: `${key.error.field} ${key.error.message}` });
    const fingerprint = fingerprintOf(method, call.request);
    // An undecodable request has no fingerprint: the handler refuses it as it would without a key.
    if (fingerprint === undefined) return handler(call, callback);
    const deadline = Number(call.getDeadline());
    const now = Date.now();
    const waitUntil = Number.isFinite(deadline) ? deadline - 50 : now + DEFAULT_WAIT_MS;
    const scope: WriteScope = {
      owner: writes.store,
      key: key.value,
      fingerprint,
      ...(answerFromWrite && { answerFromWrite }),
      recorded: false,
      taken: false,
    };
    writes
      .run(
        { key: key.value, fingerprint, waitUntil },
        () =>
          new Promise((resolve) => {
            runInWriteScope(scope, () =>
              handler(call, (error, value) => {
                if (scope.taken) return resolve({ kind: 'taken' });
                const outcome = error
                  ? failedOutcome(error)
                  : { ok: true as const, response: method.responseSerialize(value).toString('base64') };
                // A failure that committed nothing is not remembered: the same request is judged afresh next time.
                resolve({ kind: 'answered', outcome: JSON.stringify(outcome), remember: !error || scope.recorded });
              }),
            );
          }),
      )
      .then(
        (answer) => {
          if (answer.kind === 'refused') return callback(toGrpcStatus(answer.failure));
          if (answer.kind === 'answered' && answer.unremembered !== undefined) {
            logger.warn({ err: answer.unremembered, path: method.path }, 'write answered, but its outcome was not remembered');
          }
          const outcome = JSON.parse(answer.outcome) as StoredOutcome;
          if (outcome.ok) return callback(null, method.responseDeserialize(Buffer.from(outcome.response, 'base64')));
          return callback({ code: outcome.code, details: outcome.details, metadata: metadataOf(outcome.trailers) });
        },
        (error: unknown) => {
          const outage = dependencyOutage(error);
          if (outage) return callback(toGrpcStatus(outage, 'unnamed'));
          logger.error({ err: error, path: method.path }, 'idempotent write fault');
          return callback({ code: status.INTERNAL, details: 'Internal error' });
        },
      );
  };

/** The request as the method's bytes, with the method: the same key may not serve two different requests. */
const fingerprintOf = (method: MethodDefinition<unknown, unknown>, request: unknown): string | undefined => {
  try {
    return createHash('sha256').update(method.path).update('\0').update(method.requestSerialize(request)).digest('base64url');
  } catch {
    return undefined;
  }
};

const failedOutcome = (error: Partial<StatusObject>): StoredOutcome => {
  const trailers: Record<string, string> = {};
  for (const [name, value] of Object.entries(error.metadata?.getMap() ?? {})) if (typeof value === 'string') trailers[name] = value;
  return { ok: false, code: error.code ?? status.UNKNOWN, details: error.details ?? '', trailers };
};

const metadataOf = (trailers: Readonly<Record<string, string>>): Metadata => {
  const metadata = new Metadata();
  for (const [name, value] of Object.entries(trailers)) metadata.set(name, value);
  return metadata;
};
