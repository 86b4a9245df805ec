import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventChannels } from '../../core/messaging/channels.js';
import { UserRolePermissions } from '../../core/auth/permissions.js';
import { JoseTokenIssuer } from '../../adapters/crypto/jose-token-issuer.js';
import { StrongPassword, type AuthHarness, type AuthHarnessFactory } from './auth-harness.js';

const FifteenMinutes = 15 * 60_000;

/** login, logout, validateToken, validateSession. */
export function describeSessionUseCases(harness: AuthHarnessFactory, closeAll: () => Promise<void>): void {
  describe('sessions', () => {
    let h: AuthHarness;
    beforeEach(async () => {
      h = await harness();
    });
    afterEach(closeAll);

    describe('login', () => {
      it('opens a session and issues a token valid for 15 minutes', async () => {
        const user = await h.registerUser();

        const loggedIn = await h.service.login({ email: ` ${user.email.toUpperCase()} `, password: StrongPassword });

        expect(loggedIn).toMatchObject({ ok: true, value: { expiresAt: h.clock.now() + FifteenMinutes, user: { id: user.id } } });
        const sessionId = loggedIn.ok ? loggedIn.value.sessionId : '';
        expect(await h.repos.sessions.findById(sessionId)).toMatchObject({ userId: user.id, revokedAt: null });
      });

      it('puts user id, session id, email and admin flag in the token', async () => {
        const { user, token, sessionId } = await h.loggedInUser();

        const claims = await h.tokens.verify(token);

        expect(claims).toEqual({
          ok: true,
          value: { userId: user.id, sessionId, email: user.email, isAdmin: false, expiresAt: h.clock.now() + FifteenMinutes },
        });
      });

      it('publishes a login event and records the login time', async () => {
        const user = await h.registerUser();
        h.clock.advance(5_000);

        const loggedIn = await h.service.login({ email: user.email, password: StrongPassword });

        const sessionId = loggedIn.ok ? loggedIn.value.sessionId : '';
        expect(await h.events.on(EventChannels.authLogin)).toEqual([
          { event_id: expect.any(String), type: 'login', user_id: user.id, session_id: sessionId, timestamp: h.clock.now() },
        ]);
        expect(await h.service.getUserContext(user.id)).toMatchObject({ ok: true, value: { lastLoginAt: h.clock.now() } });
      });

      it('gives a wrong password and an unknown email the same failure, each after one password check', async () => {
        const user = await h.registerUser();

        const before = h.passwords.verifications;
        const wrongPassword = await h.service.login({ email: user.email, password: 'not the password' });
        const afterWrongPassword = h.passwords.verifications;
        const unknownEmail = await h.service.login({ email: `nobody-${user.id}@example.test`, password: StrongPassword });

        expect(wrongPassword).toEqual({
          ok: false,
          error: { kind: 'unauthenticated', code: 'invalid_credentials', message: expect.any(String) },
        });
        expect(unknownEmail).toEqual(wrongPassword);
        expect(afterWrongPassword - before).toBe(1);
        expect(h.passwords.verifications - afterWrongPassword).toBe(1);
        expect(await h.events.on(EventChannels.authLogin)).toEqual([]);
      });

      it('refuses a deactivated user with the right password', async () => {
        const user = await h.registerUser();
        const stored = (await h.repos.users.findById(user.id))!;
        await h.repos.users.update({ ...stored, isActive: false });

        const outcome = await h.service.login({ email: user.email, password: StrongPassword });

        expect(outcome).toMatchObject({ ok: false, error: { kind: 'forbidden', code: 'account_disabled' } });
      });

      it('refuses empty credentials as invalid input', async () => {
        const outcome = await h.service.login({ email: '', password: '' });

        expect(outcome).toMatchObject({
          ok: false,
          error: { kind: 'invalid', violations: [{ field: 'email' }, { field: 'password' }] },
        });
      });
    });

    describe('validateToken', () => {
      it('accepts a fresh token with the user context and permissions', async () => {
        const { user, token, sessionId } = await h.loggedInUser();

        expect(await h.service.validateToken(token)).toEqual({
          valid: true,
          userId: user.id,
          email: user.email,
          isAdmin: false,
          sessionId,
          permissions: [...UserRolePermissions],
          expiresAt: h.clock.now() + FifteenMinutes,
        });
      });

      it('rejects a token once its 15 minutes have passed, though the session lives on', async () => {
        const { token, sessionId } = await h.loggedInUser();

        h.clock.advance(FifteenMinutes - 1_000);
        expect(await h.service.validateToken(token)).toMatchObject({ valid: true });
        h.clock.advance(1_000);

        expect(await h.service.validateToken(token)).toEqual({ valid: false, reason: 'expired' });
        expect(await h.service.validateSession({ sessionId })).toMatchObject({ valid: true });
      });

      it('says why a token is refused: empty, malformed, tampered, or signed by someone else', async () => {
        const { token, user, sessionId } = await h.loggedInUser();
        const [header, payload] = token.split('.');
        const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), adm: true }));
        const stranger = await JoseTokenIssuer.create({ clock: h.clock });
        const foreign = await stranger.issue({
          userId: user.id,
          sessionId,
          email: user.email,
          isAdmin: true,
          expiresAt: h.clock.now() + 60_000,
        });

        expect(await h.service.validateToken('  ')).toEqual({ valid: false, reason: 'empty' });
        expect(await h.service.validateToken('not a jwt')).toEqual({ valid: false, reason: 'malformed' });
        expect(await h.service.validateToken(`${header}.${forged.toString('base64url')}.${token.split('.')[2]}`)).toEqual({
          valid: false,
          reason: 'bad_signature',
        });
        expect(await h.service.validateToken(foreign.token)).toEqual({ valid: false, reason: 'bad_signature' });
      });

      it('rejects a well-signed token whose session does not exist', async () => {
        const user = await h.registerUser();
        const issued = await h.tokens.issue({
          userId: user.id,
          sessionId: 'no-such-session',
          email: user.email,
          isAdmin: false,
          expiresAt: h.clock.now() + 60_000,
        });

        expect(await h.service.validateToken(issued.token)).toEqual({ valid: false, reason: 'session_not_found' });
      });

      it('rejects the token of a deactivated user', async () => {
        const { user, token } = await h.loggedInUser();
        const stored = (await h.repos.users.findById(user.id))!;
        await h.repos.users.update({ ...stored, isActive: false });

        expect(await h.service.validateToken(token)).toEqual({ valid: false, reason: 'user_inactive' });
      });
    });

    describe('logout', () => {
      it('revokes the session, so the token stops validating, and publishes a logout event', async () => {
        const { user, token, sessionId } = await h.loggedInUser();

        expect(await h.service.logout(token)).toEqual({ ok: true, value: undefined });

        expect(await h.service.validateToken(token)).toEqual({ valid: false, reason: 'session_revoked' });
        expect(await h.events.on(EventChannels.authLogout)).toEqual([
          { event_id: expect.any(String), type: 'logout', user_id: user.id, session_id: sessionId, timestamp: h.clock.now() },
        ]);
      });

      it('is harmless twice: the second logout succeeds and publishes nothing more', async () => {
        const { token } = await h.loggedInUser();
        await h.service.logout(token);

        expect(await h.service.logout(token)).toEqual({ ok: true, value: undefined });

        expect(await h.events.on(EventChannels.authLogout)).toHaveLength(1);
      });

      it('refuses a token that does not verify', async () => {
        expect(await h.service.logout('garbage')).toMatchObject({
          ok: false,
          error: { kind: 'unauthenticated', code: 'invalid_token' },
        });
      });
    });

    describe('validateSession', () => {
      it('accepts a live session, for its own user', async () => {
        const { user, sessionId } = await h.loggedInUser();

        expect(await h.service.validateSession({ sessionId, userId: user.id })).toEqual({
          valid: true,
          reason: 'active',
          userId: user.id,
          expiresAt: h.clock.now() + 7 * 24 * 3_600_000,
        });
      });

      it('refuses an unknown session, another user, a revoked session and an expired one', async () => {
        const { token, sessionId } = await h.loggedInUser();
        const other = await h.loggedInUser();

        expect(await h.service.validateSession({ sessionId: 'nope' })).toEqual({ valid: false, reason: 'not_found' });
        expect(await h.service.validateSession({ sessionId, userId: other.user.id })).toEqual({
          valid: false,
          reason: 'user_mismatch',
        });
        await h.service.logout(token);
        expect(await h.service.validateSession({ sessionId })).toMatchObject({ valid: false, reason: 'revoked' });

        h.clock.advance(7 * 24 * 3_600_000);
        expect(await h.service.validateSession({ sessionId: other.sessionId })).toMatchObject({
          valid: false,
          reason: 'expired',
        });
      });

      it('never issues a token that outlives its session', async () => {
        const short = await harness({ sessionTtlSeconds: 60 });
        const { token } = await short.loggedInUser();

        expect(await short.service.validateToken(token)).toMatchObject({ expiresAt: short.clock.now() + 60_000 });
        short.clock.advance(60_000);
        expect(await short.service.validateToken(token)).toEqual({ valid: false, reason: 'expired' });
      });
    });
  });
}
