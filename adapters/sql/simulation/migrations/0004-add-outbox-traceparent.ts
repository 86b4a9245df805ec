import type { Migration } from 'kysely';
import { addOutboxTraceparent } from '../../outbox/outbox-table.js';

/** The trace each outbox entry of the simulation schema was recorded in (docs/adr/0048). */
export const addOutboxTraceparentColumn: Migration = addOutboxTraceparent;
