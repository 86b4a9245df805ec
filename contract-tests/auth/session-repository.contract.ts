import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionRepository } from '../../core/auth/ports.js';
import { outboxEvent, type OutboxStore } from '../../core/messaging/outbox.js';
import { eventsOf, takePending } from '../support/outbox-relay.js';
import { aSession } from './builders.js';

export interface SessionRepositoryFixture {
  readonly repo: SessionRepository;
  /** Where the repository records the messages of its writes (docs/adr/0038). */
  readonly outbox: OutboxStore;
  close(): Promise<void>;
}

const note = (type: string) => outboxEvent('auth:events:test', { type, timestamp: 1 });

const at = (minutes: number): number => Date.UTC(2026, 0, 1) + minutes * 60_000;

/** Every SessionRepository adapter runs this suite (STYLE.md 14). */
export function describeSessionRepositoryContract(adapterName: string, createFixture: () => Promise<SessionRepositoryFixture>): void {
  describe(`SessionRepository contract: ${adapterName}`, () => {
    let fixture: SessionRepositoryFixture;
    let repo: SessionRepository;

    beforeEach(async () => {
      fixture = await createFixture();
      repo = fixture.repo;
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('finds a created session by id with every field as stored', async () => {
      const session = aSession();
      await repo.create(session);

      expect(await repo.findById(session.id)).toEqual(session);
    });

    it('finds no session for an unknown id', async () => {
      expect(await repo.findById(aSession().id)).toBeUndefined();
      expect(await repo.findById('not-a-uuid')).toBeUndefined();
    });

    it('revokes a session once: the second revoke is harmless and keeps the first time', async () => {
      const session = aSession();
      await repo.create(session);

      expect(await repo.revoke(session.id, at(5))).toBe(true);
      expect(await repo.revoke(session.id, at(9))).toBe(false);

      expect(await repo.findById(session.id)).toEqual({ ...session, revokedAt: at(5) });
    });

    it('answers false when revoking an unknown session', async () => {
      expect(await repo.revoke(aSession().id, at(1))).toBe(false);
    });

    it("revokes all of one user's live sessions and nobody else's", async () => {
      const userId = aSession().userId;
      const mine = [aSession({ userId }), aSession({ userId })];
      const other = aSession();
      for (const session of [...mine, other]) await repo.create(session);

      expect(await repo.revokeAllForUser(userId, at(3))).toBe(2);

      for (const session of mine) expect((await repo.findById(session.id))?.revokedAt).toBe(at(3));
      expect((await repo.findById(other.id))?.revokedAt).toBeNull();
    });

    it('keeps the excepted session and earlier revocations when revoking all of a user', async () => {
      const userId = aSession().userId;
      const current = aSession({ userId });
      const stolen = aSession({ userId });
      const old = aSession({ userId, revokedAt: at(1) });
      for (const session of [current, stolen, old]) await repo.create(session);

      expect(await repo.revokeAllForUser(userId, at(10), current.id)).toBe(1);
      expect(await repo.revokeAllForUser(userId, at(20), current.id)).toBe(0);

      expect((await repo.findById(current.id))?.revokedAt).toBeNull();
      expect((await repo.findById(stolen.id))?.revokedAt).toBe(at(10));
      expect((await repo.findById(old.id))?.revokedAt).toBe(at(1));
    });

    it('records the messages of a create and of the revoke that ended the session, under its user, and none for a revoke that changed nothing', async () => {
      const session = aSession();
      await repo.create(session, [note('login')]);
      expect(await repo.revoke(session.id, at(1), [note('logout')])).toBe(true);
      expect(await repo.revoke(session.id, at(2), [note('second logout')])).toBe(false);
      expect(await repo.revoke(aSession().id, at(2), [note('unknown')])).toBe(false);

      const taken = await takePending(fixture.outbox);
      expect(eventsOf(taken)).toEqual(['auth:events:test login', 'auth:events:test logout']);
      expect(taken.map((entry) => entry.aggregate)).toEqual([`user:${session.userId}`, `user:${session.userId}`]);
    });

    it('records nothing when the create fails', async () => {
      const session = aSession();
      await repo.create(session);
      await expect(repo.create(session, [note('duplicate')])).rejects.toThrow();

      expect(await takePending(fixture.outbox)).toEqual([]);
    });

    it('shares no state with callers', async () => {
      const session = aSession();
      const passed = { ...session };
      await repo.create(passed);
      Object.assign(passed, { revokedAt: at(1) });

      const found = await repo.findById(session.id);
      Object.assign(found!, { userId: 'someone else' });

      expect(await repo.findById(session.id)).toEqual(session);
    });
  });
}
