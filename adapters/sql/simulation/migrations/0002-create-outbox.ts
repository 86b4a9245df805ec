import type { Migration } from 'kysely';
import { createOutbox } from '../../outbox/outbox-table.js';

/** The transactional outbox of the simulation schema (docs/adr/0038). */
export const createOutboxTable: Migration = createOutbox;
