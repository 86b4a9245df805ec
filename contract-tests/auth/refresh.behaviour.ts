import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventChannels } from '../../core/messaging/channels.js';
import { StrongPassword, type AuthHarness, type AuthHarnessFactory } from './auth-harness.js';

/** Refresh tokens (rotation, reuse detection, logout) and login throttling. */
export function describeRefreshAndThrottleUseCases(harness: AuthHarnessFactory, closeAll: () => Promise<void>): void {
  describe('refresh tokens', () => {
    let h: AuthHarness;
    beforeEach(async () => {
      h = await harness();
    });
    afterEach(closeAll);

    const loginOf = async () => {
      const user = await h.registerUser();
      const outcome = await h.service.login({ email: user.email, password: StrongPassword });
      if (!outcome.ok) throw new Error(outcome.error.code);
      return outcome.value;
    };

    it('comes with every login, lives as long as the session, and rotates on use', async () => {
      const first = await loginOf();
      h.clock.advance(60_000);

      const second = await h.service.refresh(first.refreshToken);

      expect(first.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(second).toMatchObject({ ok: true, value: { sessionId: first.sessionId, user: { id: first.user.id } } });
      if (!second.ok) return;
      expect(second.value.refreshToken).not.toBe(first.refreshToken);
      expect(second.value.refreshExpiresAt).toBe(first.refreshExpiresAt);
      expect(second.value.expiresAt).toBeGreaterThan(first.expiresAt);
      expect(await h.service.validateToken(second.value.token)).toMatchObject({ valid: true, sessionId: first.sessionId });
    });

    it('stores only a digest of the token', async () => {
      const { refreshToken } = await loginOf();
      expect(await h.repos.refreshTokens?.findByDigest(refreshToken)).toBeUndefined();
    });

    it('ends the whole session when a spent refresh token comes back (reuse), and says so', async () => {
      const first = await loginOf();
      const second = await h.service.refresh(first.refreshToken);
      if (!second.ok) throw new Error(second.error.code);
      h.clock.advance(20_001); // past the grace for concurrent refreshes

      expect(await h.service.refresh(first.refreshToken)).toMatchObject({ ok: false, error: { code: 'refresh_token_reused' } });

      expect(await h.service.validateToken(second.value.token)).toEqual({ valid: false, reason: 'session_revoked' });
      expect(await h.service.refresh(second.value.refreshToken)).toMatchObject({ ok: false, error: { kind: 'unauthenticated' } });
      expect(await h.events.on(EventChannels.authLogout)).toEqual([
        { event_id: expect.any(String), type: 'logout', user_id: first.user.id, session_id: first.sessionId, timestamp: h.clock.now() },
      ]);
    });

    it('gives both of two concurrent refreshes (two tabs) a working pair of the same session', async () => {
      const { refreshToken, sessionId } = await loginOf();

      const answers = await Promise.all([h.service.refresh(refreshToken), h.service.refresh(refreshToken)]);

      for (const answer of answers) {
        if (!answer.ok) throw new Error(`a concurrent refresh was refused: ${answer.error.code}`);
        expect(answer.value.sessionId).toBe(sessionId);
        expect(await h.service.validateToken(answer.value.token)).toMatchObject({ valid: true, sessionId });
      }
      h.clock.advance(1_000);
      for (const answer of answers) if (answer.ok) expect((await h.service.refresh(answer.value.refreshToken)).ok).toBe(true);
      expect(await h.events.on(EventChannels.authLogout)).toEqual([]);
    });

    it('still ends the session when a spent token comes back after the grace, concurrently too', async () => {
      const first = await loginOf();
      const second = await h.service.refresh(first.refreshToken);
      if (!second.ok) throw new Error(second.error.code);
      h.clock.advance(20_001);

      const answers = await Promise.all([h.service.refresh(first.refreshToken), h.service.refresh(first.refreshToken)]);

      expect(answers).toMatchObject([
        { ok: false, error: { code: 'refresh_token_reused' } },
        { ok: false, error: { code: 'refresh_token_reused' } },
      ]);
      expect(await h.service.validateToken(second.value.token)).toEqual({ valid: false, reason: 'session_revoked' });
      expect(await h.events.on(EventChannels.authLogout)).toHaveLength(1);
    });

    it('refreshes nothing after logout, nor an unknown or empty token', async () => {
      const { token, refreshToken } = await loginOf();
      await h.service.logout(token);

      expect(await h.service.refresh(refreshToken)).toMatchObject({
        ok: false,
        error: { code: 'invalid_refresh_token', kind: 'unauthenticated' },
      });
      expect(await h.service.refresh('no-such-token')).toMatchObject({ ok: false, error: { code: 'invalid_refresh_token' } });
      expect(await h.service.refresh('')).toMatchObject({ ok: false, error: { code: 'invalid_refresh_token' } });
    });

    it('refreshes nothing once the session has expired', async () => {
      const { refreshToken } = await loginOf();
      h.clock.advance(7 * 24 * 3_600_000);

      expect(await h.service.refresh(refreshToken)).toMatchObject({ ok: false, error: { code: 'invalid_refresh_token' } });
    });
  });

  describe('login throttling', () => {
    let h: AuthHarness;
    const limits = { perAccount: { max: 3, windowMs: 60_000 }, perAddress: { max: 5, windowMs: 60_000 } };
    beforeEach(async () => {
      h = await harness({ loginThrottle: limits });
    });
    afterEach(closeAll);

    it('refuses an account after its failures with a retry time, the same for an unknown email, until the window slides', async () => {
      const user = await h.registerUser();
      for (let i = 0; i < 3; i += 1) {
        await h.service.login({ email: user.email, password: 'wrong password here', address: `10.0.0.${i}` });
        await h.service.login({ email: 'nobody@example.test', password: 'wrong password here', address: `10.0.1.${i}` });
      }
      const checksBefore = h.passwords.verifications;

      const known = await h.service.login({ email: user.email, password: StrongPassword, address: '10.0.9.9' });
      const unknown = await h.service.login({ email: 'nobody@example.test', password: StrongPassword, address: '10.0.9.9' });

      expect(known).toEqual({
        ok: false,
        error: expect.objectContaining({ kind: 'rate_limited', code: 'too_many_login_attempts', retryAfterMs: 60_000 }),
      });
      expect(unknown).toEqual(known);
      expect(h.passwords.verifications).toBe(checksBefore);
      h.clock.advance(60_000);
      expect((await h.service.login({ email: user.email, password: StrongPassword })).ok).toBe(true);
    });

    it('refuses an address after its failures, whatever the account', async () => {
      for (let i = 0; i < 5; i += 1) {
        await h.service.login({ email: `guess${i}@example.test`, password: 'wrong password here', address: '192.0.2.7' });
      }
      const user = await h.registerUser();

      expect(await h.service.login({ email: user.email, password: StrongPassword, address: '192.0.2.7' })).toMatchObject({
        ok: false,
        error: { code: 'too_many_login_attempts' },
      });
      expect((await h.service.login({ email: user.email, password: StrongPassword, address: '192.0.2.8' })).ok).toBe(true);
    });
  });
}
