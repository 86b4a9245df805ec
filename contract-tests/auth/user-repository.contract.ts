import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../core/auth/model.js';
import type { UserRepository } from '../../core/auth/ports.js';
import { outboxEvent, type OutboxStore } from '../../core/messaging/outbox.js';
import { eventsOf, takePending } from '../support/outbox-relay.js';
import { aUser } from './builders.js';

export interface UserRepositoryFixture {
  readonly repo: UserRepository;
  /** Where the repository records the messages of its writes (docs/adr/0038). */
  readonly outbox: OutboxStore;
  close(): Promise<void>;
}

const note = (type: string) => outboxEvent('auth:events:test', { type, timestamp: 1 });

/** Every UserRepository adapter runs this suite (STYLE.md 14). */
export function describeUserRepositoryContract(adapterName: string, createFixture: () => Promise<UserRepositoryFixture>): void {
  describe(`UserRepository contract: ${adapterName}`, () => {
    let fixture: UserRepositoryFixture;
    let repo: UserRepository;

    beforeEach(async () => {
      fixture = await createFixture();
      repo = fixture.repo;
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('finds a created user by id and by email, with every field as stored', async () => {
      const user = aUser({ roles: ['user', 'admin'], lastLoginAt: Date.UTC(2026, 0, 2) });

      const created = await repo.create(user);

      expect(created).toEqual({ ok: true, value: user });
      expect(await repo.findById(user.id)).toEqual(user);
      expect(await repo.findByEmail(user.email)).toEqual(user);
    });

    it('finds nobody for an unknown id or email', async () => {
      const user = aUser();
      expect(await repo.findById(user.id)).toBeUndefined();
      expect(await repo.findByEmail(user.email)).toBeUndefined();
      expect(await repo.findById('not-a-uuid')).toBeUndefined();
    });

    it('looks emails up case-insensitively', async () => {
      const user = aUser();
      await repo.create(user);

      expect((await repo.findByEmail(user.email.toUpperCase()))?.id).toBe(user.id);
    });

    it('refuses a second user with the same email in another letter case, and keeps the first', async () => {
      const first = aUser();
      await repo.create(first);

      const second = await repo.create(aUser({ email: first.email.toUpperCase() }));

      expect(second).toEqual({ ok: false, error: 'email_taken' });
      expect(await repo.findByEmail(first.email)).toEqual(first);
    });

    it('lets exactly one of two concurrent creates with the same email succeed', async () => {
      const email = aUser().email;

      const outcomes = await Promise.all([repo.create(aUser({ email })), repo.create(aUser({ email }))]);

      expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
      expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([{ ok: false, error: 'email_taken' }]);
    });

    it('updates a user read at the current version and bumps the version', async () => {
      const user = aUser();
      await repo.create(user);

      const updated = await repo.update({ ...user, name: 'Ada King', lastLoginAt: Date.UTC(2026, 0, 3) });

      const expected = { ...user, name: 'Ada King', lastLoginAt: Date.UTC(2026, 0, 3), version: 2 };
      expect(updated).toEqual({ ok: true, value: expected });
      expect(await repo.findById(user.id)).toEqual(expected);
    });

    it('refuses an update made from a stale read and keeps the newer data', async () => {
      const user = aUser();
      await repo.create(user);
      await repo.update({ ...user, name: 'First writer' });

      const stale = await repo.update({ ...user, name: 'Second writer' });

      expect(stale).toEqual({ ok: false, error: 'stale_version' });
      expect(await repo.findById(user.id)).toMatchObject({ name: 'First writer', version: 2 });
    });

    it('lets one of two concurrent updates from the same read win', async () => {
      const user = aUser();
      await repo.create(user);

      const outcomes = await Promise.all([repo.update({ ...user, name: 'A' }), repo.update({ ...user, name: 'B' })]);

      expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
      expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([{ ok: false, error: 'stale_version' }]);
      expect((await repo.findById(user.id))?.version).toBe(2);
    });

    it('reports not_found when updating an unknown user', async () => {
      expect(await repo.update(aUser())).toEqual({ ok: false, error: 'not_found' });
    });

    it("refuses to change a user's email to another user's email", async () => {
      const taken = aUser();
      const user = aUser();
      await repo.create(taken);
      await repo.create(user);

      const outcome = await repo.update({ ...user, email: taken.email.toUpperCase() });

      expect(outcome).toEqual({ ok: false, error: 'email_taken' });
      expect((await repo.findById(user.id))?.email).toBe(user.email);
    });

    it('records the messages of a create and an update that were stored, and none of a refused one', async () => {
      const user = aUser();
      await repo.create(user, [note('created')]);
      const updated = await repo.update({ ...user, name: 'Renamed' }, [note('updated')]);
      expect(updated.ok).toBe(true);
      expect((await repo.update({ ...user, name: 'Stale' }, [note('stale')])).ok).toBe(false);
      expect((await repo.update({ ...aUser(), version: 1 }, [note('unknown')])).ok).toBe(false);
      expect((await repo.create({ ...aUser(), email: user.email }, [note('email taken')])).ok).toBe(false);

      const taken = await takePending(fixture.outbox);
      expect(eventsOf(taken)).toEqual(['auth:events:test created', 'auth:events:test updated']);
      expect(taken.map((entry) => entry.aggregate)).toEqual([`user:${user.id}`, `user:${user.id}`]);
    });

    it('frees the old email when a user changes email', async () => {
      const user = aUser();
      await repo.create(user);
      await repo.update({ ...user, email: aUser().email });

      expect(await repo.findByEmail(user.email)).toBeUndefined();
      expect((await repo.create(aUser({ email: user.email }))).ok).toBe(true);
    });

    it('lists every user oldest first, ties by id, a page at a time, stable while users are added', async () => {
      const users = [aUser({ createdAt: 3 }), aUser({ createdAt: 1 }), aUser({ createdAt: 2 }), aUser({ createdAt: 2 })];
      for (const user of users) await repo.create(user);
      const order = [...users].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)).map((user) => user.id);

      const first = await repo.list({ limit: 3 });
      await repo.create(aUser({ createdAt: 0 }));
      const second = await repo.list({ limit: 3, ...(first.next && { after: first.next }) });

      expect([...first.items, ...second.items].map((user) => user.id)).toEqual(order);
      expect(second.next).toBeUndefined();
      expect(first.items[0]).toEqual(users[1]);
    });

    it('shares no state with callers: changing a passed or returned user changes nothing stored', async () => {
      const user = aUser();
      const roles: Role[] = ['user'];
      await repo.create({ ...user, roles });
      roles.push('admin');

      const found = await repo.findById(user.id);
      (found!.roles as string[]).push('admin');

      expect((await repo.findById(user.id))?.roles).toEqual(['user']);
    });
  });
}
