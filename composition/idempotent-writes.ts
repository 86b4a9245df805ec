import { setTimeout as sleep } from 'node:timers/promises';
import { IdempotentWrites } from '../core/idempotency/idempotent-writes.js';
import type { IdempotencyStore } from '../core/idempotency/ports.js';
import { InMemoryIdempotencyStore } from '../adapters/memory/in-memory-idempotency-store.js';
import { SystemClock } from '../adapters/system/system-clock.js';

/** IDEMPOTENCY_KEY_RETENTION_HOURS' default, for services built without the configuration's storage. */
export const DEFAULT_IDEMPOTENCY_RETENTION_MS = 24 * 3_600_000;

/** How often a service forgets the idempotency keys whose time is up. */
export const IDEMPOTENCY_PRUNE_EVERY_MS = 10 * 60_000;

/** A service's idempotent writes over `store` (docs/adr/0058); in memory by default. */
export const idempotentWrites = (
  retentionMs: number = DEFAULT_IDEMPOTENCY_RETENTION_MS,
  store: IdempotencyStore = new InMemoryIdempotencyStore(),
): IdempotentWrites => new IdempotentWrites(store, new SystemClock(), (ms) => sleep(ms), { retentionMs });
