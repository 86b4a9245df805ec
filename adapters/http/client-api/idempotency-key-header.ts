import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkIdempotencyKey } from '../../../core/idempotency/idempotency-key.js';
import { DomainFailureError, failure } from '../../../core/shared/errors.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const keys = new WeakMap<FastifyRequest, string>();

/**
 * Every write (POST, PUT, PATCH, DELETE) gets an idempotency key (docs/adr/0058): the client's
 * `Idempotency-Key` header, checked (400 `invalid_idempotency_key` when it is not 1 to 255 visible
 * ASCII characters), or one made here. The answer carries it back in `Idempotency-Key`, so a client
 * that sent none can still repeat the request safely with it.
 */
export const addIdempotencyKeys = (app: FastifyInstance): void => {
  app.addHook('onRequest', async (request, reply) => {
    if (!WRITES.has(request.method)) return;
    const sent = request.headers[IDEMPOTENCY_KEY_HEADER];
    const key = sent === undefined ? randomUUID() : checkedIdempotencyKey(sent);
    keys.set(request, key);
    reply.header(IDEMPOTENCY_KEY_HEADER, key);
  });
};

/** The key of a write request; undefined for a read (or a request the hook did not see). */
export const idempotencyKeyOf = (request: FastifyRequest): string | undefined => keys.get(request);

/** The `Idempotency-Key` a client sent; throws the 400 `invalid_idempotency_key` failure when it cannot be used. */
export const checkedIdempotencyKey = (sent: string | string[]): string => {
  const checked = typeof sent === 'string' ? checkIdempotencyKey('Idempotency-Key', sent) : undefined;
  if (checked?.ok) return checked.value;
  const violation = checked?.error ?? { field: 'Idempotency-Key', message: 'must be sent once' };
  throw new DomainFailureError(failure('invalid', 'invalid_idempotency_key', 'The Idempotency-Key header cannot be used.', [violation]));
};
