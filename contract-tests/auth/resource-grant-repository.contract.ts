import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResourceGrantRepository } from '../../core/auth/ports.js';
import { outboxEvent, type OutboxStore } from '../../core/messaging/outbox.js';
import { eventsOf, takePending } from '../support/outbox-relay.js';
import { aGrant, byCodeUnits } from './builders.js';

export interface ResourceGrantRepositoryFixture {
  readonly repo: ResourceGrantRepository;
  /** Where the repository records the messages of its writes (docs/adr/0038). */
  readonly outbox: OutboxStore;
  close(): Promise<void>;
}

const note = (type: string) => outboxEvent('auth:events:test', { type, timestamp: 1 });

/** Every ResourceGrantRepository adapter runs this suite (STYLE.md 14). */
export function describeResourceGrantRepositoryContract(
  adapterName: string,
  createFixture: () => Promise<ResourceGrantRepositoryFixture>,
): void {
  describe(`ResourceGrantRepository contract: ${adapterName}`, () => {
    let fixture: ResourceGrantRepositoryFixture;
    let repo: ResourceGrantRepository;

    beforeEach(async () => {
      fixture = await createFixture();
      repo = fixture.repo;
    });
    afterEach(async () => {
      await fixture.close();
    });

    it("finds a user's grant on a resource", async () => {
      const grant = aGrant({ role: 'editor' });
      await repo.grant(grant);

      expect(await repo.find(grant.userId, grant.resourceId)).toEqual(grant);
    });

    it('finds no grant for another user or another resource', async () => {
      const grant = aGrant();
      await repo.grant(grant);

      expect(await repo.find(aGrant().userId, grant.resourceId)).toBeUndefined();
      expect(await repo.find(grant.userId, aGrant().resourceId)).toBeUndefined();
    });

    it('replaces the role when granting again (upsert)', async () => {
      const grant = aGrant({ role: 'viewer' });
      await repo.grant(grant);

      await repo.grant({ ...grant, role: 'owner' });

      expect(await repo.find(grant.userId, grant.resourceId)).toEqual({ ...grant, role: 'owner' });
      expect(await repo.listForResource(grant.resourceId)).toHaveLength(1);
    });

    it('says whether a grant changed anything, and records its messages only then: the same role twice, or at once, records one', async () => {
      const grant = aGrant({ role: 'owner' });
      const outcomes = await Promise.all([repo.grant(grant, [note('first')]), repo.grant(grant, [note('second')])]);
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect(await repo.grant(grant, [note('again')])).toBe(false);
      expect(await repo.grant({ ...grant, role: 'viewer' }, [note('changed')])).toBe(true);

      const events = eventsOf(await takePending(fixture.outbox));
      expect(events).toHaveLength(2);
      expect(events.at(-1)).toBe('auth:events:test changed');
      expect(await repo.find(grant.userId, grant.resourceId)).toEqual({ ...grant, role: 'viewer' });
    });

    it('revokes a grant once: revoking again is harmless', async () => {
      const grant = aGrant();
      await repo.grant(grant);

      expect(await repo.revoke(grant.userId, grant.resourceId)).toBe(true);
      expect(await repo.revoke(grant.userId, grant.resourceId)).toBe(false);

      expect(await repo.find(grant.userId, grant.resourceId)).toBeUndefined();
    });

    it('lists the grants on a resource by user id, and only those', async () => {
      const resourceId = aGrant().resourceId;
      const grants = [aGrant({ resourceId, role: 'owner' }), aGrant({ resourceId }), aGrant({ resourceId, role: 'editor' })];
      for (const grant of [...grants, aGrant()]) await repo.grant(grant);

      const listed = await repo.listForResource(resourceId);

      expect(listed).toEqual([...grants].sort((a, b) => byCodeUnits(a.userId, b.userId)));
    });

    it('lists the grants a user holds by resource id, and only those', async () => {
      const userId = aGrant().userId;
      const grants = [aGrant({ userId }), aGrant({ userId, role: 'owner' }), aGrant({ userId })];
      for (const grant of [...grants, aGrant()]) await repo.grant(grant);

      const listed = await repo.listForUser(userId);

      expect(listed).toEqual([...grants].sort((a, b) => byCodeUnits(a.resourceId, b.resourceId)));
    });

    it('lists nothing for a resource or user without grants', async () => {
      expect(await repo.listForResource(aGrant().resourceId)).toEqual([]);
      expect(await repo.listForUser(aGrant().userId)).toEqual([]);
    });

    it('records the messages of a grant and of the revoke that removed it, under the user, and none for a revoke of nothing', async () => {
      const grant = aGrant({ role: 'viewer' });
      await repo.grant(grant, [note('granted')]);
      await repo.grant({ ...grant, role: 'editor' }, [note('changed')]);
      expect(await repo.revoke(grant.userId, grant.resourceId, [note('revoked')])).toBe(true);
      expect(await repo.revoke(grant.userId, grant.resourceId, [note('revoked again')])).toBe(false);

      const taken = await takePending(fixture.outbox);
      expect(eventsOf(taken)).toEqual(['auth:events:test granted', 'auth:events:test changed', 'auth:events:test revoked']);
      expect(new Set(taken.map((entry) => entry.aggregate))).toEqual(new Set([`user:${grant.userId}`]));
    });

    it('shares no state with callers', async () => {
      const grant = aGrant();
      const passed = { ...grant };
      await repo.grant(passed);
      Object.assign(passed, { role: 'owner' });

      const [listed] = await repo.listForResource(grant.resourceId);
      Object.assign(listed!, { role: 'owner' });

      expect(await repo.find(grant.userId, grant.resourceId)).toEqual(grant);
    });
  });
}
