import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdmin } from '../../core/auth/create-admin.js';
import type { Profile } from '../../core/auth/model.js';
import { EventChannels } from '../../core/messaging/channels.js';
import { RandomIdGenerator } from '../../adapters/system/random-id-generator.js';
import { StrongPassword, type AuthHarness, type AuthHarnessFactory } from './auth-harness.js';

const ADMIN_EMAIL = 'root@example.test';
const HOUR = 3_600_000;

/** Administration (docs/adr/0054): listing users, roles, deactivation, announcements, the audit log, the first admin. */
export function describeAdministrationUseCases(harness: AuthHarnessFactory, closeAll: () => Promise<void>): void {
  describe('administration', () => {
    let h: AuthHarness;
    let admin: Profile;
    let user: Profile;
    beforeEach(async () => {
      h = await harness({ adminEmails: [ADMIN_EMAIL] });
      admin = await h.registerUser({ email: ADMIN_EMAIL, name: 'Root' });
      h.clock.advance(1_000);
      user = await h.registerUser({ name: 'Plain User' });
    });
    afterEach(closeAll);

    const auditActions = async () => {
      const page = await h.service.listAuditLog({ actorId: admin.id });
      if (!page.ok) throw new Error(page.error.code);
      return page.value.entries.map((entry) => ({ action: entry.action, actorId: entry.actorId, targetUserId: entry.targetUserId }));
    };

    it('refuses every administration call to a user who is not an active admin, in auth itself', async () => {
      const asUser = [
        await h.service.listUsers({ actorId: user.id }),
        await h.service.setUserActive({ actorId: user.id, userId: admin.id, active: false }),
        await h.service.publishAnnouncement({ actorId: user.id, kind: 'info', message: 'hi' }),
        await h.service.listAuditLog({ actorId: user.id }),
        await h.service.listUsers({ actorId: 'no-such-user' }),
        await h.service.listUsers({ actorId: '' }),
      ];

      expect(asUser.map((outcome) => !outcome.ok && outcome.error.code)).toEqual(asUser.map(() => 'admin_required'));
      expect(await auditActions()).toEqual([]);
    });

    it('lists every user oldest first, a page at a time, with opaque tokens', async () => {
      for (let i = 0; i < 3; i += 1) {
        h.clock.advance(1_000);
        await h.registerUser();
      }

      const first = await h.service.listUsers({ actorId: admin.id, pageSize: 2 });
      if (!first.ok) throw new Error(first.error.code);
      const rest = await h.service.listUsers({ actorId: admin.id, pageSize: 10, pageToken: first.value.nextPageToken });
      if (!rest.ok) throw new Error(rest.error.code);

      expect(first.value.users.map((listed) => listed.id)).toEqual([admin.id, user.id]);
      expect(rest.value.users).toHaveLength(3);
      expect(rest.value.nextPageToken).toBe('');
      expect(await h.service.listUsers({ actorId: admin.id, pageToken: 'not-ours' })).toMatchObject({
        ok: false,
        error: { kind: 'invalid', violations: [{ field: 'page_token' }] },
      });
      expect(await h.service.listUsers({ actorId: admin.id, pageSize: 101 })).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    });

    it('audits a role change with who, when, to whom, before and after; a change to nothing is not audited', async () => {
      h.clock.advance(5_000);
      await h.service.assignRoles({ actorId: admin.id, userId: user.id, roles: ['user', 'admin'] });
      await h.service.assignRoles({ actorId: admin.id, userId: user.id, roles: ['user', 'admin'] });

      const page = await h.service.listAuditLog({ actorId: admin.id });
      expect(page).toMatchObject({
        ok: true,
        value: {
          entries: [
            {
              action: 'assign_roles',
              actorId: admin.id,
              targetUserId: user.id,
              at: h.clock.now(),
              detail: { actor_email: ADMIN_EMAIL, target_email: user.email, roles_before: 'user', roles_after: 'user,admin' },
            },
          ],
        },
      });
    });

    it('refuses an admin taking the admin role from themselves or deactivating themselves', async () => {
      const demoted = await h.service.assignRoles({ actorId: admin.id, userId: admin.id, roles: ['user'] });
      const deactivated = await h.service.setUserActive({ actorId: admin.id, userId: admin.id, active: false });

      expect([demoted, deactivated]).toMatchObject([
        { ok: false, error: { kind: 'conflict', code: 'self_lockout' } },
        { ok: false, error: { kind: 'conflict', code: 'self_lockout' } },
      ]);
      expect(await h.repos.users.findById(admin.id)).toMatchObject({ roles: ['user', 'admin'], isActive: true });
    });

    it('deactivates a user: every session ends at once, tokens and refresh tokens are refused, all gateways are told', async () => {
      const first = await h.service.login({ email: user.email, password: StrongPassword });
      const second = await h.service.login({ email: user.email, password: StrongPassword });
      if (!first.ok || !second.ok) throw new Error('login failed');

      const outcome = await h.service.setUserActive({ actorId: admin.id, userId: user.id, active: false });

      expect(outcome).toMatchObject({ ok: true, value: { user: { id: user.id, isActive: false }, sessionsRevoked: 2 } });
      expect(await h.service.validateToken(first.value.token)).toMatchObject({ valid: false });
      expect(await h.service.validateToken(second.value.token)).toMatchObject({ valid: false });
      expect(await h.service.refresh(second.value.refreshToken)).toMatchObject({ ok: false });
      expect(await h.service.login({ email: user.email, password: StrongPassword })).toMatchObject({
        ok: false,
        error: { code: 'account_disabled' },
      });
      expect(await h.events.on(EventChannels.authLogout)).toEqual([
        { type: 'logout', event_id: expect.any(String), user_id: user.id, reason: 'deactivated', timestamp: h.clock.now() },
      ]);
      expect(await auditActions()).toEqual([{ action: 'deactivate_user', actorId: admin.id, targetUserId: user.id }]);
    });

    it('deactivates idempotently: again changes, audits and announces nothing; reactivation lets the user back in', async () => {
      await h.service.setUserActive({ actorId: admin.id, userId: user.id, active: false });
      const again = await h.service.setUserActive({ actorId: admin.id, userId: user.id, active: false });
      h.clock.advance(1_000);
      const back = await h.service.setUserActive({ actorId: admin.id, userId: user.id, active: true });

      expect(again).toMatchObject({ ok: true, value: { sessionsRevoked: 0 } });
      expect(back).toMatchObject({ ok: true, value: { user: { isActive: true } } });
      expect((await h.events.on(EventChannels.authLogout)).length).toBe(1);
      expect((await auditActions()).map((entry) => entry.action)).toEqual(['reactivate_user', 'deactivate_user']);
      expect(await h.service.login({ email: user.email, password: StrongPassword })).toMatchObject({ ok: true });
      expect(await h.service.setUserActive({ actorId: admin.id, userId: 'nobody', active: false })).toMatchObject({
        ok: false,
        error: { kind: 'not_found' },
      });
    });

    it('publishes an announcement on system:announcements through the outbox, stored and audited with it', async () => {
      const startsAt = h.clock.now() + HOUR;

      const published = await h.service.publishAnnouncement({
        actorId: admin.id,
        kind: 'maintenance',
        message: 'Database upgrade',
        startsAt,
        endsAt: startsAt + HOUR,
      });
      await h.relayed();

      if (!published.ok) throw new Error(published.error.code);
      expect(published.value).toMatchObject({ kind: 'maintenance', message: 'Database upgrade', startsAt, endsAt: startsAt + HOUR });
      expect(await h.events.on(EventChannels.systemAnnouncements)).toEqual([
        {
          type: 'announcement',
          event_id: expect.any(String),
          announcement_id: published.value.id,
          kind: 'maintenance',
          message: 'Database upgrade',
          starts_at: startsAt,
          ends_at: startsAt + HOUR,
          timestamp: h.clock.now(),
        },
      ]);
      expect(await h.service.listCurrentAnnouncements()).toEqual([published.value]);
      expect(await auditActions()).toEqual([{ action: 'publish_announcement', actorId: admin.id, targetUserId: null }]);
    });

    it('refuses a maintenance window without an end or ending in the past, and an empty message; lists only what is not over', async () => {
      const refusals = [
        await h.service.publishAnnouncement({ actorId: admin.id, kind: 'maintenance', message: 'Upgrade' }),
        await h.service.publishAnnouncement({ actorId: admin.id, kind: 'maintenance', message: 'Upgrade', endsAt: h.clock.now() - 1 }),
        await h.service.publishAnnouncement({ actorId: admin.id, kind: 'info', message: '   ' }),
        await h.service.publishAnnouncement({ actorId: admin.id, kind: 'urgent', message: 'x' }),
      ];
      const info = await h.service.publishAnnouncement({
        actorId: admin.id,
        kind: 'info',
        message: 'Welcome',
        endsAt: h.clock.now() + 1_000,
      });

      expect(refusals.map((outcome) => !outcome.ok && outcome.error.violations?.map((violation) => violation.field))).toEqual([
        ['ends_at'],
        ['ends_at'],
        ['message'],
        ['kind'],
      ]);
      expect(info.ok).toBe(true);
      expect(await h.service.listCurrentAnnouncements()).toHaveLength(1);
      h.clock.advance(1_000);
      expect(await h.service.listCurrentAnnouncements()).toEqual([]);
    });

    it('makes the first admin from the command line: creates one, promotes another, audits both as command-line', async () => {
      const deps = { users: h.repos.users, passwords: h.passwords, clock: h.clock, ids: new RandomIdGenerator() };

      const created = await createAdmin(deps, { email: 'New.Admin@Example.test', password: 'a long enough new password' });
      h.clock.advance(1_000);
      const promoted = await createAdmin(deps, { email: user.email, password: 'unused password here' });
      const again = await createAdmin(deps, { email: user.email, password: 'unused password here' });

      expect(created).toMatchObject({
        ok: true,
        value: { kind: 'created', user: { email: 'new.admin@example.test', roles: ['user', 'admin'] } },
      });
      expect(promoted).toMatchObject({
        ok: true,
        value: { kind: 'promoted', reactivated: false, user: { id: user.id, roles: ['user', 'admin'] } },
      });
      expect(again).toMatchObject({ ok: true, value: { kind: 'already_admin' } });
      expect(await h.service.login({ email: 'new.admin@example.test', password: 'a long enough new password' })).toMatchObject({
        ok: true,
      });
      expect((await auditActions()).map((entry) => [entry.action, entry.actorId])).toEqual([
        ['promote_admin', 'command-line'],
        ['create_admin', 'command-line'],
      ]);
    });
  });
}
