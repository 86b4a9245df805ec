import { describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../shared/errors.js';
import type { OutboxMessage } from '../messaging/outbox.js';
import { ok } from '../shared/result.js';
import { logout, type LogoutDeps } from './login.js';
import type { SocketClosure, UserSockets } from './ports.js';
import { closeUserSockets } from './user-sockets.js';

const closure: SocketClosure = { userId: 'u1', sessionId: 's1', reason: 'logout' };

describe('closeUserSockets', () => {
  it('answers how many sockets the gateways closed', async () => {
    const sockets: UserSockets = { close: async () => 3 };
    expect(await closeUserSockets({ sockets }, closure)).toBe(3);
  });

  it('answers undefined, without failing its caller, when no gateway is wired or none can answer', async () => {
    expect(await closeUserSockets({}, closure)).toBeUndefined();
    const away: UserSockets = {
      close: async () => {
        throw new DependencyUnavailableError('api-gateway', 'no instance of api-gateway can take the call');
      },
    };
    expect(await closeUserSockets({ sockets: away }, closure)).toBeUndefined();
  });

  it('lets a fault that is not a failure of the gateways through', async () => {
    const broken: UserSockets = {
      close: async () => {
        throw new TypeError('a bug');
      },
    };
    await expect(closeUserSockets({ sockets: broken }, closure)).rejects.toBeInstanceOf(TypeError);
  });
});

describe('logout', () => {
  it("closes the session's sockets before it revokes the session with the logout event, so they are told why first", async () => {
    const steps: string[] = [];
    const deps: LogoutDeps = {
      tokens: {
        issue: async () => ({ token: 't', expiresAt: 0 }),
        verify: async () => ok({ userId: 'u1', sessionId: 's1', email: 'u1@example.test', isAdmin: false, expiresAt: 0 }),
      },
      // The revocation records the logout event (outbox, docs/adr/0046): it may go out as soon as this commits.
      sessions: {
        revoke: async (_id: string, _at: number, outbox: readonly OutboxMessage[] = []) => {
          steps.push(`revoke recording ${outbox.map((message) => (message.kind === 'event' ? message.channel : message.kind)).join(', ')}`);
          return true;
        },
      } as unknown as LogoutDeps['sessions'],
      sockets: {
        close: async (target) => {
          steps.push(`close ${target.userId}/${target.sessionId} (${target.reason})`);
          return 1;
        },
      },
      clock: { now: () => 1_000 },
    };

    expect(await logout(deps, 't')).toEqual({ ok: true, value: undefined });
    expect(steps).toEqual(['close u1/s1 (logout)', 'revoke recording auth:events:logout']);
  });
});
