import type { CollaborationPresence, ExpiredClient, PresentClient } from '../../core/project/ports.js';

interface Held {
  readonly client: PresentClient;
  expiresAt: number;
}

/** Presence in this process, for tests and the embedded defaults (one project instance). */
export class InMemoryCollaborationPresence implements CollaborationPresence {
  private readonly sessions = new Map<string, Map<string, Held>>();

  async enter(projectId: string, client: PresentClient, expiresAt: number): Promise<boolean> {
    const session = this.sessions.get(projectId) ?? new Map<string, Held>();
    this.sessions.set(projectId, session);
    const held = session.get(client.clientId);
    session.set(client.clientId, { client: { ...client }, expiresAt });
    return held === undefined;
  }

  async leave(projectId: string, clientId: string): Promise<PresentClient | undefined> {
    const session = this.sessions.get(projectId);
    const held = session?.get(clientId);
    if (!session || !held) return undefined;
    session.delete(clientId);
    if (session.size === 0) this.sessions.delete(projectId);
    return { ...held.client };
  }

  async clients(projectId: string, now: number): Promise<PresentClient[]> {
    return [...(this.sessions.get(projectId)?.values() ?? [])]
      .filter((held) => held.expiresAt > now)
      .map((held) => ({ ...held.client }))
      .sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0));
  }

  async expire(now: number, limit: number): Promise<ExpiredClient[]> {
    const expired: ExpiredClient[] = [];
    for (const [projectId, session] of this.sessions) {
      for (const [clientId, held] of session) {
        if (expired.length >= limit) return expired;
        if (held.expiresAt > now) continue;
        session.delete(clientId);
        expired.push({ projectId, client: { ...held.client } });
      }
      if (session.size === 0) this.sessions.delete(projectId);
    }
    return expired;
  }
}
