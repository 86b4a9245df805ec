import type { OutboxMessage } from '../../core/messaging/outbox.js';
import { err, ok, type Result } from '../../core/shared/result.js';
import { normaliseEmail, type AuditEntry, type User } from '../../core/auth/model.js';
import type { Page, PageRequest, UserCursor, UserRepository, UserWriteConflict } from '../../core/auth/ports.js';
import { InMemoryAuditLog } from './in-memory-audit-log.js';
import { InMemoryOutbox } from './in-memory-outbox.js';

/** `a` before `b` in the listing order: oldest first, ties by id (code units, as SQL's `COLLATE "C"`). */
const olderFirst = (a: UserCursor, b: UserCursor): number => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** UserRepository in a Map. Stores and returns copies, so callers never share state with it. */
export class InMemoryUserRepository implements UserRepository {
  private readonly byId = new Map<string, User>();
  private readonly idByEmail = new Map<string, string>();

  constructor(
    readonly outbox: InMemoryOutbox = new InMemoryOutbox(),
    readonly audit: InMemoryAuditLog = new InMemoryAuditLog(),
  ) {}

  async create(user: User, outbox: readonly OutboxMessage[] = [], audit?: AuditEntry): Promise<Result<User, 'email_taken'>> {
    if (this.byId.has(user.id)) throw new Error(`user id ${user.id} already exists`);
    const emailKey = normaliseEmail(user.email);
    if (this.idByEmail.has(emailKey)) return err('email_taken');
    this.store(user);
    this.outbox.record(`user:${user.id}`, outbox);
    if (audit) this.audit.append(audit);
    return ok(structuredClone(user));
  }

  async findById(id: string): Promise<User | undefined> {
    const user = this.byId.get(id);
    return user && structuredClone(user);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const id = this.idByEmail.get(normaliseEmail(email));
    return id === undefined ? undefined : this.findById(id);
  }

  async update(user: User, outbox: readonly OutboxMessage[] = [], audit?: AuditEntry): Promise<Result<User, UserWriteConflict>> {
    const current = this.byId.get(user.id);
    if (!current) return err('not_found');
    if (current.version !== user.version) return err('stale_version');
    const holder = this.idByEmail.get(normaliseEmail(user.email));
    if (holder !== undefined && holder !== user.id) return err('email_taken');

    this.idByEmail.delete(normaliseEmail(current.email));
    const stored = { ...user, version: user.version + 1 };
    this.store(stored);
    this.outbox.record(`user:${user.id}`, outbox);
    if (audit) this.audit.append(audit);
    return ok(structuredClone(stored));
  }

  async list(page: PageRequest<UserCursor>): Promise<Page<User, UserCursor>> {
    const sorted = [...this.byId.values()].sort(olderFirst);
    const after = page.after;
    const rest = after === undefined ? sorted : sorted.filter((user) => olderFirst(after, user) < 0);
    const items = rest.slice(0, page.limit).map((user) => structuredClone(user));
    const last = items.at(-1);
    return rest.length > page.limit && last ? { items, next: { createdAt: last.createdAt, id: last.id } } : { items };
  }

  private store(user: User): void {
    this.byId.set(user.id, structuredClone(user));
    this.idByEmail.set(normaliseEmail(user.email), user.id);
  }
}
