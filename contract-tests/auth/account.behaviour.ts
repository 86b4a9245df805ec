import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StrongPassword, type AuthHarness, type AuthHarnessFactory } from './auth-harness.js';

/** register, getProfile, updateProfile. */
export function describeAccountUseCases(harness: AuthHarnessFactory, closeAll: () => Promise<void>): void {
  describe('accounts', () => {
    let h: AuthHarness;
    beforeEach(async () => {
      h = await harness();
    });
    afterEach(closeAll);

    describe('register', () => {
      it('creates an active user with a normalised email, a trimmed name and the user role', async () => {
        const email = `  Grace.${randomUUID().slice(0, 8)}@Example.TEST `;

        const registered = await h.service.register({ email, password: StrongPassword, name: '  Grace Hopper ' });

        expect(registered.ok).toBe(true);
        const profile = registered.ok ? registered.value : undefined;
        expect(profile).toMatchObject({
          email: email.trim().toLowerCase(),
          name: 'Grace Hopper',
          roles: ['user'],
          isActive: true,
          createdAt: h.clock.now(),
          lastLoginAt: null,
        });
        expect(profile).not.toHaveProperty('passwordHash');
      });

      it('stores a password hash, never the password', async () => {
        const profile = await h.registerUser();

        const stored = await h.repos.users.findById(profile.id);

        expect(stored?.passwordHash).toMatch(/^scrypt\$/);
        expect(stored?.passwordHash).not.toContain(StrongPassword);
      });

      it('makes users with a configured admin email admins, whatever the letter case', async () => {
        const adminEmail = `root-${randomUUID().slice(0, 8)}@example.test`;
        const withAdmins = await harness({ adminEmails: [adminEmail.toUpperCase()] });

        const admin = await withAdmins.registerUser({ email: adminEmail });
        const other = await withAdmins.registerUser();

        expect(admin.roles).toEqual(['user', 'admin']);
        expect(other.roles).toEqual(['user']);
      });

      it('refuses an email already registered in another letter case as email_taken', async () => {
        const first = await h.registerUser();

        const second = await h.service.register({ email: first.email.toUpperCase(), password: StrongPassword, name: 'Copy' });

        expect(second).toMatchObject({ ok: false, error: { kind: 'conflict', code: 'email_taken' } });
      });

      it('reports every invalid field at once, without creating anybody', async () => {
        const outcome = await h.service.register({ email: 'not-an-email', password: 'short', name: '   ' });

        expect(outcome).toMatchObject({ ok: false, error: { kind: 'invalid', code: 'invalid_input' } });
        const fields = outcome.ok ? [] : outcome.error.violations?.map((violation) => violation.field);
        expect(fields).toEqual(['email', 'password', 'name']);
        expect(await h.repos.users.findByEmail('not-an-email')).toBeUndefined();
      });

      it('answers missing fields (a bad JSON body) with invalid, not a crash', async () => {
        const outcome = await h.service.register({} as never);

        expect(outcome).toMatchObject({ ok: false, error: { kind: 'invalid' } });
      });

      it('lets a repository fault propagate as a rejection', async () => {
        const users = h.repos.users;
        Object.assign(users, { create: () => Promise.reject(new Error('database down')) });

        await expect(h.registerUser()).rejects.toThrow('database down');
      });
    });

    describe('profile', () => {
      it('returns the profile of a known user and not_found for an unknown one', async () => {
        const user = await h.registerUser({ name: 'Alan Turing' });

        expect(await h.service.getProfile(user.id)).toMatchObject({ ok: true, value: { id: user.id, name: 'Alan Turing' } });
        expect(await h.service.getProfile('no-such-user')).toMatchObject({ ok: false, error: { kind: 'not_found' } });
      });

      it('changes the name and stamps updatedAt', async () => {
        const user = await h.registerUser();
        h.clock.advance(60_000);

        const updated = await h.service.updateProfile({ userId: user.id, name: ' New Name ' });

        expect(updated).toMatchObject({ ok: true, value: { name: 'New Name', updatedAt: user.createdAt + 60_000 } });
        expect((await h.repos.users.findById(user.id))?.name).toBe('New Name');
      });

      it('refuses an update that changes nothing or breaks a rule', async () => {
        const user = await h.registerUser();

        expect(await h.service.updateProfile({ userId: user.id })).toMatchObject({ ok: false, error: { kind: 'invalid' } });
        expect(await h.service.updateProfile({ userId: user.id, name: 'x'.repeat(101) })).toMatchObject({
          ok: false,
          error: { kind: 'invalid', violations: [{ field: 'name' }] },
        });
        expect(await h.service.updateProfile({ userId: user.id, newPassword: 'long enough now' })).toMatchObject({
          ok: false,
          error: { kind: 'invalid', violations: [{ field: 'currentPassword' }] },
        });
      });

      it('refuses a password change with a wrong current password and keeps the old password', async () => {
        const user = await h.registerUser();

        const outcome = await h.service.updateProfile({
          userId: user.id,
          currentPassword: 'wrong password',
          newPassword: 'another secret',
        });

        expect(outcome).toMatchObject({ ok: false, error: { code: 'wrong_current_password' } });
        expect((await h.service.login({ email: user.email, password: StrongPassword })).ok).toBe(true);
      });

      it('changes the password and revokes every other session of the user', async () => {
        const { user, token, sessionId } = await h.loggedInUser();
        const other = await h.service.login({ email: user.email, password: StrongPassword });

        const outcome = await h.service.updateProfile({
          userId: user.id,
          sessionId,
          currentPassword: StrongPassword,
          newPassword: 'a brand new secret',
        });

        expect(outcome.ok).toBe(true);
        expect(await h.service.validateToken(token)).toMatchObject({ valid: true });
        expect(await h.service.validateToken(other.ok ? other.value.token : '')).toEqual({
          valid: false,
          reason: 'session_revoked',
        });
        expect(await h.service.login({ email: user.email, password: StrongPassword })).toMatchObject({ ok: false });
        expect((await h.service.login({ email: user.email, password: 'a brand new secret' })).ok).toBe(true);
      });

      it('reports a concurrent change of the same account as a conflict', async () => {
        const user = await h.registerUser();
        const users = h.repos.users;
        const update = users.update.bind(users);
        // Another writer gets in between this use case's read and its write.
        Object.assign(users, {
          update: async (changed: Parameters<typeof update>[0]) => {
            const current = await users.findById(changed.id);
            await update({ ...current!, name: 'Someone else' });
            return update(changed);
          },
        });

        const outcome = await h.service.updateProfile({ userId: user.id, name: 'Mine' });

        expect(outcome).toMatchObject({ ok: false, error: { kind: 'conflict', code: 'concurrent_update' } });
      });
    });
  });
}
