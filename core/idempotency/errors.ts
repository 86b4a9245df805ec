import { failure, type DomainFailure } from '../shared/errors.js';

export const IdempotencyFailures = {
  /** The key was used before for another request (another method, body or caller): HTTP 409. */
  reused: (): DomainFailure =>
    failure(
      'conflict',
      'idempotency_key_reused',
      'This Idempotency-Key was used for a different request; use a new key for a new request.',
    ),
  /** Another request with this key is still being processed, or its answer was lost: HTTP 409, retry later. */
  inUse: (): DomainFailure =>
    failure(
      'conflict',
      'idempotency_key_in_use',
      'A request with this Idempotency-Key is still being processed; retry it later to get its answer.',
    ),
};
