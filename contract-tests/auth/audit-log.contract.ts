import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Announcement, AuditEntry } from '../../core/auth/model.js';
import type { AnnouncementRepository, AuditLog, UserRepository } from '../../core/auth/ports.js';
import { aUser } from './builders.js';

export interface AuditLogFixture {
  /** The three as the service wires them: `users` and `announcements` write `audit` with their changes. */
  readonly users: UserRepository;
  readonly announcements: AnnouncementRepository;
  readonly audit: AuditLog;
  close(): Promise<void>;
}

const start = Date.UTC(2026, 0, 1);

const anEntry = (overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  id: randomUUID(),
  at: start,
  actorId: randomUUID(),
  action: 'assign_roles',
  targetUserId: randomUUID(),
  detail: { roles_before: 'user', roles_after: 'user,admin', note: 'ünïcode "quoted"' },
  ...overrides,
});

const anAnnouncement = (overrides: Partial<Announcement> = {}): Announcement => ({
  id: randomUUID(),
  kind: 'maintenance',
  message: 'Database upgrade',
  startsAt: start,
  endsAt: start + 3_600_000,
  createdBy: randomUUID(),
  createdAt: start,
  ...overrides,
});

/** The audit log and the writes that fill it (docs/adr/0054), on every adapter of them (STYLE.md 14). */
export function describeAuditLogContract(adapterName: string, createFixture: () => Promise<AuditLogFixture>): void {
  describe(`AuditLog and AnnouncementRepository contract: ${adapterName}`, () => {
    let fixture: AuditLogFixture;
    beforeEach(async () => {
      fixture = await createFixture();
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('keeps the entry of a stored user change, and none of a refused one', async () => {
      const user = aUser();
      const created = anEntry({ action: 'create_admin', targetUserId: user.id, at: start });
      await fixture.users.create(user, [], created);
      const changed = anEntry({ targetUserId: user.id, at: start + 1 });
      await fixture.users.update({ ...user, roles: ['user', 'admin'] }, [], changed);

      const stale = await fixture.users.update({ ...user, name: 'Stale' }, [], anEntry({ at: start + 2 }));

      expect(stale).toEqual({ ok: false, error: 'stale_version' });
      expect((await fixture.audit.list({ limit: 10 })).items).toEqual([changed, created]);
    });

    it('pages newest first, ties by id, without repeating or skipping an entry appended meanwhile', async () => {
      const user = aUser();
      await fixture.users.create(user);
      let current = user;
      const written: AuditEntry[] = [];
      for (const at of [start, start + 5, start + 5, start + 9]) {
        const entry = anEntry({ at });
        const stored = await fixture.users.update({ ...current, name: `Name ${written.length}` }, [], entry);
        if (!stored.ok) throw new Error(stored.error);
        current = stored.value;
        written.push(entry);
      }
      const order = [...written].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1)).map((entry) => entry.id);

      const first = await fixture.audit.list({ limit: 2 });
      await fixture.users.update({ ...current, name: 'Later' }, [], anEntry({ at: start + 100 }));
      const second = await fixture.audit.list({ limit: 2, ...(first.next && { after: first.next }) });

      expect([...first.items, ...second.items].map((entry) => entry.id)).toEqual(order);
      expect(second.next).toBeUndefined();
    });

    it('stores an announcement with its entry, and lists those not over yet, newest first', async () => {
      const over = anAnnouncement({ createdAt: start, endsAt: start + 10 });
      const older = anAnnouncement({ createdAt: start + 1, kind: 'info', message: 'Hello' });
      const newer = anAnnouncement({ createdAt: start + 2 });
      for (const announcement of [over, older, newer]) {
        await fixture.announcements.create(announcement, anEntry({ action: 'publish_announcement', targetUserId: null }), []);
      }

      expect(await fixture.announcements.listCurrent(start + 10, 10)).toEqual([newer, older]);
      expect(await fixture.announcements.listCurrent(start + 10, 1)).toEqual([newer]);
      expect((await fixture.audit.list({ limit: 10 })).items.map((entry) => entry.targetUserId)).toEqual([null, null, null]);
    });

    it('refuses an announcement id twice, keeping the first and its entry only', async () => {
      const announcement = anAnnouncement();
      await fixture.announcements.create(announcement, anEntry({ action: 'publish_announcement' }), []);

      await expect(fixture.announcements.create({ ...announcement, message: 'Again' }, anEntry(), [])).rejects.toThrow();

      expect(await fixture.announcements.listCurrent(start, 10)).toEqual([announcement]);
      expect((await fixture.audit.list({ limit: 10 })).items).toHaveLength(1);
    });
  });
}
