import type { IdempotencyStore, RememberedWrite } from '../../core/idempotency/ports.js';

interface Entry extends RememberedWrite {
  readonly expiresAt: number;
}

/** Every this many writes, the expired keys are dropped (besides `prune` and reads). */
const PRUNE_EVERY_WRITES = 1_000;

/**
 * Outcomes kept in this process (MESH_STORAGE=memory): lost with it, as the data they describe.
 * Expired keys are dropped when read, by `prune`, and every thousand writes.
 */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private writes = 0;

  async find(key: string, now: number): Promise<RememberedWrite | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.outcome === undefined ? { fingerprint: entry.fingerprint } : { fingerprint: entry.fingerprint, outcome: entry.outcome };
  }

  async remember(key: string, fingerprint: string, outcome: string, now: number, expiresAt: number): Promise<void> {
    const entry = this.entries.get(key);
    const live = entry !== undefined && entry.expiresAt > now;
    if (live && (entry.outcome !== undefined || entry.fingerprint !== fingerprint)) return;
    this.entries.set(key, { fingerprint, outcome, expiresAt });
    this.writes += 1;
    if (this.writes % PRUNE_EVERY_WRITES === 0) await this.prune(now);
  }

  async prune(now: number): Promise<number> {
    let pruned = 0;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) continue;
      this.entries.delete(key);
      pruned += 1;
    }
    return pruned;
  }
}
