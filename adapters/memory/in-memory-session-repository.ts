import type { Session } from '../../core/auth/model.js';
import type { SessionRepository } from '../../core/auth/ports.js';
import type { OutboxMessage } from '../../core/messaging/outbox.js';
import type { InMemoryOutbox } from './in-memory-outbox.js';

/** SessionRepository in a Map. Stores and returns copies. Give it the user repository's outbox (docs/adr/0038). */
export class InMemorySessionRepository implements SessionRepository {
  private readonly sessions = new Map<string, Session>();

  constructor(readonly outbox: InMemoryOutbox) {}

  async create(session: Session, outbox: readonly OutboxMessage[] = []): Promise<void> {
    if (this.sessions.has(session.id)) throw new Error(`session id ${session.id} already exists`);
    this.sessions.set(session.id, { ...session });
    this.outbox.record(`user:${session.userId}`, outbox);
  }

  async findById(id: string): Promise<Session | undefined> {
    const session = this.sessions.get(id);
    return session && { ...session };
  }

  async revoke(id: string, at: number, outbox: readonly OutboxMessage[] = []): Promise<boolean> {
    const session = this.sessions.get(id);
    if (!session || session.revokedAt !== null) return false;
    this.sessions.set(id, { ...session, revokedAt: at });
    this.outbox.record(`user:${session.userId}`, outbox);
    return true;
  }

  async revokeAllForUser(userId: string, at: number, exceptSessionId?: string): Promise<number> {
    let revoked = 0;
    for (const session of this.sessions.values()) {
      if (session.userId !== userId || session.id === exceptSessionId || session.revokedAt !== null) continue;
      this.sessions.set(session.id, { ...session, revokedAt: at });
      revoked += 1;
    }
    return revoked;
  }
}
