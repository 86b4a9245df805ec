import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventChannels } from '../../core/messaging/channels.js';
import { PermissionCatalogue } from '../../core/auth/permissions.js';
import type { Profile } from '../../core/auth/model.js';
import { StrongPassword, type AuthHarness, type AuthHarnessFactory } from './auth-harness.js';

/** getUserContext, checkPermission, getUserPermissions, assignRoles, resource grants. */
export function describeAccessUseCases(harness: AuthHarnessFactory, closeAll: () => Promise<void>): void {
  describe('access', () => {
    let h: AuthHarness;
    let user: Profile;
    let admin: Profile;
    const decide = async (userId: string, permission: string, resourceId?: string) => {
      const outcome = await h.service.checkPermission({ userId, permission, resourceId });
      if (!outcome.ok) throw new Error(`checkPermission failed: ${outcome.error.code}`);
      return outcome.value;
    };

    beforeEach(async () => {
      const adminEmail = `root-${randomUUID().slice(0, 8)}@example.test`;
      h = await harness({ adminEmails: [adminEmail] });
      user = await h.registerUser();
      admin = await h.registerUser({ email: adminEmail });
    });
    afterEach(closeAll);

    it('describes a user: identity, roles, permissions, activity', async () => {
      expect(await h.service.getUserContext(user.id)).toEqual({
        ok: true,
        value: {
          userId: user.id,
          email: user.email,
          name: user.name,
          roles: ['user'],
          permissions: expect.arrayContaining(['project:create', 'simulation:start', 'profile:update']),
          isActive: true,
          lastLoginAt: null,
        },
      });
      expect(await h.service.getUserContext('no-such-user')).toMatchObject({ ok: false, error: { kind: 'not_found' } });
    });

    describe('checkPermission without a resource', () => {
      it('allows what the role grants and says so', async () => {
        expect(await decide(user.id, 'project:create')).toEqual({ allowed: true, reason: expect.stringContaining('role') });
      });

      it('denies admin permissions to a plain user, naming the missing permission', async () => {
        expect(await decide(user.id, 'admin:users')).toEqual({ allowed: false, reason: expect.stringContaining('admin:users') });
      });

      it('denies unknown users, inactive users and unknown permissions, with the reason', async () => {
        const stored = (await h.repos.users.findById(user.id))!;
        await h.repos.users.update({ ...stored, isActive: false });

        expect(await decide('no-such-user', 'project:read')).toEqual({ allowed: false, reason: 'unknown user' });
        expect(await decide(user.id, 'project:read')).toEqual({ allowed: false, reason: 'user is inactive' });
        expect(await decide(admin.id, 'project:teleport')).toEqual({
          allowed: false,
          reason: expect.stringContaining('unknown permission'),
        });
      });

      it('refuses a malformed request as invalid', async () => {
        const outcome = await h.service.checkPermission({ userId: '', permission: 'everything' });

        expect(outcome).toMatchObject({
          ok: false,
          error: { kind: 'invalid', violations: [{ field: 'userId' }, { field: 'permission' }] },
        });
      });
    });

    describe('checkPermission on a resource', () => {
      const project = 'project-42';

      it('denies a user without a grant on the resource', async () => {
        expect(await decide(user.id, 'project:read', project)).toEqual({
          allowed: false,
          reason: `no access to resource ${project}`,
        });
      });

      it('lets a viewer read but not update', async () => {
        await h.service.grantResourceAccess({ userId: user.id, resourceId: project, role: 'viewer' });

        expect(await decide(user.id, 'project:read', project)).toMatchObject({ allowed: true });
        expect(await decide(user.id, 'simulation:read', project)).toMatchObject({ allowed: true });
        expect(await decide(user.id, 'project:update', project)).toEqual({
          allowed: false,
          reason: expect.stringContaining('viewer'),
        });
      });

      it('lets an editor read and update but not delete or share', async () => {
        await h.service.grantResourceAccess({ userId: user.id, resourceId: project, role: 'editor' });

        expect(await decide(user.id, 'project:update', project)).toMatchObject({ allowed: true });
        expect(await decide(user.id, 'project:delete', project)).toMatchObject({ allowed: false });
        expect(await decide(user.id, 'project:share', project)).toMatchObject({ allowed: false });
      });

      it('lets the owner do everything on the resource', async () => {
        await h.service.grantResourceAccess({ userId: user.id, resourceId: project, role: 'owner' });

        for (const permission of ['project:delete', 'project:share', 'simulation:start', 'simulation:stop']) {
          expect(await decide(user.id, permission, project)).toMatchObject({ allowed: true });
        }
      });

      it('still needs the role permission: an owner is no admin', async () => {
        await h.service.grantResourceAccess({ userId: user.id, resourceId: project, role: 'owner' });

        expect(await decide(user.id, 'admin:users', project)).toMatchObject({ allowed: false });
      });

      it('lets an admin act on any resource without a grant', async () => {
        expect(await decide(admin.id, 'project:delete', project)).toEqual({
          allowed: true,
          reason: expect.stringContaining('admin'),
        });
      });
    });

    it('lists roles, permissions and grants with the actions they allow', async () => {
      await h.service.grantResourceAccess({ userId: user.id, resourceId: 'b-project', role: 'editor' });
      await h.service.grantResourceAccess({ userId: user.id, resourceId: 'a-project', role: 'viewer' });

      const listed = await h.service.getUserPermissions(user.id);

      expect(listed).toEqual({
        ok: true,
        value: {
          userId: user.id,
          roles: ['user'],
          permissions: expect.arrayContaining(['project:read']),
          grants: [
            { resourceId: 'a-project', role: 'viewer', actions: ['read'] },
            { resourceId: 'b-project', role: 'editor', actions: ['read', 'update'] },
          ],
        },
      });
      expect(await h.service.getUserPermissions(admin.id)).toMatchObject({
        ok: true,
        value: { permissions: [...PermissionCatalogue] },
      });
    });

    describe('assignRoles', () => {
      it('lets an admin promote a user, publishes permission_changed, and the new role applies at once', async () => {
        const { token } = await loginAs(h, user);

        const outcome = await h.service.assignRoles({ actorId: admin.id, userId: user.id, roles: ['admin', 'user', 'admin'] });

        expect(outcome).toMatchObject({ ok: true, value: { roles: ['user', 'admin'] } });
        expect(await h.events.on(EventChannels.authPermissionChanged)).toEqual([
          {
            event_id: expect.any(String),
            type: 'permission_changed',
            user_id: user.id,
            roles: ['user', 'admin'],
            timestamp: h.clock.now(),
          },
        ]);
        expect(await h.service.validateToken(token)).toMatchObject({ valid: true, isAdmin: true });
      });

      it('refuses a non-admin actor and publishes nothing', async () => {
        const outcome = await h.service.assignRoles({ actorId: user.id, userId: user.id, roles: ['admin'] });

        expect(outcome).toMatchObject({ ok: false, error: { kind: 'forbidden', code: 'admin_required' } });
        expect(await h.events.on(EventChannels.authPermissionChanged)).toEqual([]);
      });

      it('refuses unknown roles and an empty role set, and reports an unknown user', async () => {
        expect(await h.service.assignRoles({ actorId: admin.id, userId: user.id, roles: ['wizard'] })).toMatchObject({
          ok: false,
          error: { kind: 'invalid', violations: [{ field: 'roles' }] },
        });
        const noRoles = await h.service.assignRoles({ actorId: admin.id, userId: user.id, roles: [] });
        expect(noRoles).toMatchObject({ ok: false, error: { kind: 'invalid' } });
        expect(await h.service.assignRoles({ actorId: admin.id, userId: 'no-such-user', roles: ['user'] })).toMatchObject({
          ok: false,
          error: { kind: 'not_found' },
        });
      });
    });

    describe('resource grants', () => {
      it('publishes permission_changed when a grant is given or changed, not when repeated', async () => {
        await h.service.grantResourceAccess({ userId: user.id, resourceId: 'p-1', role: 'viewer' });
        await h.service.grantResourceAccess({ userId: user.id, resourceId: 'p-1', role: 'viewer' });
        await h.service.grantResourceAccess({ userId: user.id, resourceId: 'p-1', role: 'editor' });

        const changed = await h.events.on(EventChannels.authPermissionChanged);
        const expected = {
          event_id: expect.any(String),
          type: 'permission_changed',
          user_id: user.id,
          roles: ['user'],
          resource_id: 'p-1',
        };
        const at = { timestamp: h.clock.now() };
        expect(changed).toEqual([
          { ...expected, resource_role: 'viewer', ...at },
          { ...expected, resource_role: 'editor', ...at },
        ]);
      });

      it('revokes a grant once, publishing a null resource role, and revoking again is harmless', async () => {
        await h.service.grantResourceAccess({ userId: user.id, resourceId: 'p-2', role: 'owner' });

        const revoke = () => h.service.revokeResourceAccess({ userId: user.id, resourceId: 'p-2' });
        expect(await revoke()).toEqual({ ok: true, value: undefined });
        expect(await revoke()).toEqual({ ok: true, value: undefined });

        expect(await decide(user.id, 'project:read', 'p-2')).toMatchObject({ allowed: false });
        const changed = await h.events.on(EventChannels.authPermissionChanged);
        expect(changed.map((event) => event.resource_role)).toEqual(['owner', null]);
      });

      it('refuses a grant for an unknown user or with an unknown role', async () => {
        expect(await h.service.grantResourceAccess({ userId: 'no-such-user', resourceId: 'p', role: 'viewer' })).toMatchObject({
          ok: false,
          error: { kind: 'not_found' },
        });
        expect(await h.service.grantResourceAccess({ userId: user.id, resourceId: 'p', role: 'god' })).toMatchObject({
          ok: false,
          error: { kind: 'invalid', violations: [{ field: 'role' }] },
        });
      });
    });
  });
}

const loginAs = async (h: AuthHarness, user: Profile): Promise<{ token: string }> => {
  const loggedIn = await h.service.login({ email: user.email, password: StrongPassword });
  if (!loggedIn.ok) throw new Error('login failed');
  return { token: loggedIn.value.token };
};
