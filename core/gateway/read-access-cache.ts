import { DependencyUnavailableError } from '../shared/errors.js';
import type { Clock } from '../shared/clock.js';
import type { ProjectAccess } from './ports.js';

export interface ReadAccessCacheOptions {
  /** How long an answer is trusted. Default 30 s: a revoked share stops events within this time. */
  readonly ttlMs?: number;
  /** Answers kept; the oldest go first. Default 10 000. */
  readonly maxEntries?: number;
}

interface Answer {
  readonly allowed: boolean;
  readonly expiresAt: number;
}

const keyOf = (projectId: string, userId: string): string => `${projectId}\u0000${userId}`;

/**
 * Who may read which project, as the project service answered recently: events are frequent
 * enough that asking for every event and every connected user would flood the project service.
 * An answer that could not be had (the service is down) is a "no" and is not remembered.
 */
export class ReadAccessCache {
  private readonly answers = new Map<string, Answer>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly projects: ProjectAccess,
    private readonly clock: Clock,
    options: ReadAccessCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  async canRead(projectId: string, userId: string): Promise<boolean> {
    const key = keyOf(projectId, userId);
    const known = this.answers.get(key);
    if (known && known.expiresAt > this.clock.now()) return known.allowed;
    // A project service that cannot answer grants nothing now, and nothing is remembered.
    const answer = await this.projects.canRead(projectId, userId).catch((error: unknown) => {
      if (error instanceof DependencyUnavailableError) return undefined;
      throw error;
    });
    if (!answer?.ok) return false;
    this.remember(key, answer.value);
    return answer.value;
  }

  /** Forgets what is known about one project (it changed), or one user on it. */
  forgetProject(projectId: string, userId?: string): void {
    if (userId !== undefined) {
      this.answers.delete(keyOf(projectId, userId));
      return;
    }
    const prefix = `${projectId}\u0000`;
    for (const key of [...this.answers.keys()]) if (key.startsWith(prefix)) this.answers.delete(key);
  }

  /** Forgets what is known about one user (their permissions changed). */
  forgetUser(userId: string): void {
    const suffix = `\u0000${userId}`;
    for (const key of [...this.answers.keys()]) if (key.endsWith(suffix)) this.answers.delete(key);
  }

  private remember(key: string, allowed: boolean): void {
    this.answers.delete(key);
    this.answers.set(key, { allowed, expiresAt: this.clock.now() + this.ttlMs });
    if (this.answers.size > this.maxEntries) {
      const oldest = this.answers.keys().next().value;
      if (oldest !== undefined) this.answers.delete(oldest);
    }
  }
}
