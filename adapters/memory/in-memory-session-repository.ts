import type { Session } from '../../core/auth/model.js';
import type { SessionRepository } from '../../core/auth/ports.js';

/** SessionRepository in a Map. Stores and returns copies. */
export class InMemorySessionRepository implements SessionRepository {
  private readonly sessions = new Map<string, Session>();

  async create(session: Session): Promise<void> {
    if (this.sessions.has(session.id)) throw new Error(`session id ${session.id} already exists`);
    this.sessions.set(session.id, { ...session });
  }

  async findById(id: string): Promise<Session | undefined> {
    const session = this.sessions.get(id);
    return session && { ...session };
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const session = this.sessions.get(id);
    if (!session || session.revokedAt !== null) return false;
    this.sessions.set(id, { ...session, revokedAt: at });
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
