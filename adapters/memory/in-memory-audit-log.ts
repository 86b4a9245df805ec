import type { AuditEntry } from '../../core/auth/model.js';
import type { AuditCursor, AuditLog, Page, PageRequest } from '../../core/auth/ports.js';

/** `a` before `b` in the audit log's order: newest first, ties by id descending (code units, as SQL's `COLLATE "C"`). */
const newerFirst = (a: AuditCursor, b: AuditCursor): number => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * The audit log of the in-memory auth repositories: they append to it in the same synchronous step
 * as their change, which is this store's transaction (as InMemoryOutbox). One process only.
 */
export class InMemoryAuditLog implements AuditLog {
  private readonly entries: AuditEntry[] = [];

  /** Appends `entry`; call it in the same synchronous step as the change it records. */
  append(entry: AuditEntry): void {
    this.entries.push(structuredClone(entry));
  }

  async list(page: PageRequest<AuditCursor>): Promise<Page<AuditEntry, AuditCursor>> {
    const sorted = [...this.entries].sort(newerFirst);
    const after = page.after;
    const rest = after === undefined ? sorted : sorted.filter((entry) => newerFirst(after, entry) < 0);
    const items = rest.slice(0, page.limit).map((entry) => structuredClone(entry));
    const last = items.at(-1);
    return rest.length > page.limit && last ? { items, next: { at: last.at, id: last.id } } : { items };
  }
}
