import type { Migration } from 'kysely';
import { createIdempotencyKeys } from '../../idempotency/idempotency-table.js';

/** The idempotency keys of the auth schema's administration writes (docs/adr/0064). */
export const createIdempotencyKeysTable: Migration = createIdempotencyKeys;
