import type { Migration } from 'kysely';
import { createIdempotencyKeys } from '../../idempotency/idempotency-table.js';

/** The idempotency keys of the simulation schema's writes (docs/adr/0058). */
export const createIdempotencyKeysTable: Migration = createIdempotencyKeys;
