import type { Announcement, AuditEntry } from '../../core/auth/model.js';
import type { AnnouncementRepository } from '../../core/auth/ports.js';
import type { OutboxMessage } from '../../core/messaging/outbox.js';
import { InMemoryAuditLog } from './in-memory-audit-log.js';
import { InMemoryOutbox } from './in-memory-outbox.js';

/** AnnouncementRepository in a Map, recording into the audit log and outbox it shares with the user repository. */
export class InMemoryAnnouncementRepository implements AnnouncementRepository {
  private readonly byId = new Map<string, Announcement>();

  constructor(
    readonly audit: InMemoryAuditLog = new InMemoryAuditLog(),
    readonly outbox: InMemoryOutbox = new InMemoryOutbox(),
  ) {}

  async create(announcement: Announcement, audit: AuditEntry, outbox: readonly OutboxMessage[]): Promise<void> {
    if (this.byId.has(announcement.id)) throw new Error(`announcement id ${announcement.id} already exists`);
    this.byId.set(announcement.id, structuredClone(announcement));
    this.audit.append(audit);
    this.outbox.record(`announcement:${announcement.id}`, outbox);
  }

  async listCurrent(now: number, limit: number): Promise<Announcement[]> {
    return [...this.byId.values()]
      .filter((announcement) => announcement.endsAt > now)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
      .slice(0, limit)
      .map((announcement) => structuredClone(announcement));
  }
}
