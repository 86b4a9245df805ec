import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CollaborationPresence, PresentClient } from '../../core/project/ports.js';

export interface CollaborationPresenceFixture {
  readonly presence: CollaborationPresence;
  /** Another view of the same store (another project instance on the same Redis; in memory, the same object). */
  readonly peer: CollaborationPresence;
  close(): Promise<void>;
}

const t0 = Date.UTC(2026, 0, 1);
const aProject = (): string => `project-${randomUUID()}`;
const aClient = (overrides: Partial<PresentClient> = {}): PresentClient => ({
  clientId: `client-${randomUUID()}`,
  userId: `user-${randomUUID()}`,
  role: 'editor',
  ...overrides,
});

/** Every CollaborationPresence adapter runs this suite (STYLE.md 14). Project ids are fresh per test, so a store may be shared. */
export function describeCollaborationPresenceContract(
  adapterName: string,
  createFixture: () => Promise<CollaborationPresenceFixture>,
): void {
  describe(`CollaborationPresence contract: ${adapterName}`, () => {
    let fixture: CollaborationPresenceFixture;
    let presence: CollaborationPresence;

    beforeEach(async () => {
      fixture = await createFixture();
      presence = fixture.presence;
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('tells a join from a renewal and lists the clients by id while they have not expired', async () => {
      const project = aProject();
      const [a, b] = [aClient({ clientId: 'client-a' }), aClient({ clientId: 'client-b', role: 'viewer' })];

      expect(await presence.enter(project, b, t0 + 30_000)).toBe(true);
      expect(await presence.enter(project, a, t0 + 10_000)).toBe(true);
      expect(await fixture.peer.enter(project, a, t0 + 40_000)).toBe(false);

      expect(await presence.clients(project, t0)).toEqual([a, b]);
      expect(await presence.clients(project, t0 + 35_000)).toEqual([a]);
      expect(await presence.clients(aProject(), t0)).toEqual([]);
    });

    it('hands a leaving client to exactly one of two concurrent callers', async () => {
      const project = aProject();
      const client = aClient();
      await presence.enter(project, client, t0 + 10_000);

      const outcomes = await Promise.all([presence.leave(project, client.clientId), fixture.peer.leave(project, client.clientId)]);

      expect(outcomes.filter((outcome) => outcome !== undefined)).toEqual([client]);
      expect(await presence.clients(project, t0)).toEqual([]);
      expect(await presence.leave(project, client.clientId)).toBeUndefined();
    });

    it('expires the clients whose time ran out, once, across instances', async () => {
      const [p1, p2] = [aProject(), aProject()];
      const late = aClient();
      const early = aClient();
      const renewed = aClient();
      await presence.enter(p1, early, t0 + 1_000);
      await presence.enter(p2, renewed, t0 + 1_000);
      await presence.enter(p2, renewed, t0 + 60_000);
      await presence.enter(p1, late, t0 + 60_000);

      const [first, second] = await Promise.all([presence.expire(t0 + 5_000, 100), fixture.peer.expire(t0 + 5_000, 100)]);
      const mine = [...first, ...second].filter(({ projectId }) => projectId === p1 || projectId === p2);

      expect(mine).toEqual([{ projectId: p1, client: early }]);
      expect(await presence.clients(p1, t0 + 5_000)).toEqual([late]);
      expect(await presence.clients(p2, t0 + 5_000)).toEqual([renewed]);
      expect((await presence.expire(t0 + 5_000, 100)).filter(({ projectId }) => projectId === p1)).toEqual([]);
    });

    it('never expires a client that left', async () => {
      const project = aProject();
      const client = aClient();
      await presence.enter(project, client, t0 + 1_000);
      await presence.leave(project, client.clientId);

      expect((await presence.expire(t0 + 5_000, 100)).filter(({ projectId }) => projectId === project)).toEqual([]);
    });
  });
}
