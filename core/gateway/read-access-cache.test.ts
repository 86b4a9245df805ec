import { describe, expect, it } from 'vitest';
import { failure } from '../shared/errors.js';
import { err, ok } from '../shared/result.js';
import type { ProjectAccess } from './ports.js';
import { ReadAccessCache } from './read-access-cache.js';

/** Readers by project, counting the questions asked. */
class ProjectReaders implements ProjectAccess {
  readonly readers = new Map<string, Set<string>>();
  asked = 0;
  down = false;

  async canRead(projectId: string, userId: string) {
    this.asked += 1;
    if (this.down) return err(failure('unavailable', 'down', 'project service down'));
    return ok(this.readers.get(projectId)?.has(userId) ?? false);
  }
}

const clockAt = (start: number) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

describe('ReadAccessCache', () => {
  it('asks once per project and user within the time to live', async () => {
    const projects = new ProjectReaders();
    projects.readers.set('p1', new Set(['u1']));
    const clock = clockAt(0);
    const cache = new ReadAccessCache(projects, clock, { ttlMs: 1_000 });

    expect(await cache.canRead('p1', 'u1')).toBe(true);
    expect(await cache.canRead('p1', 'u1')).toBe(true);
    expect(await cache.canRead('p1', 'u2')).toBe(false);
    expect(projects.asked).toBe(2);

    clock.advance(1_000);
    projects.readers.get('p1')!.delete('u1');
    expect(await cache.canRead('p1', 'u1')).toBe(false);
    expect(projects.asked).toBe(3);
  });

  it('asks again after forgetting a project or a user', async () => {
    const projects = new ProjectReaders();
    const cache = new ReadAccessCache(projects, clockAt(0));
    await cache.canRead('p1', 'u1');
    await cache.canRead('p2', 'u1');

    projects.readers.set('p1', new Set(['u1']));
    cache.forgetProject('p1');
    expect(await cache.canRead('p1', 'u1')).toBe(true);

    projects.readers.set('p2', new Set(['u1']));
    cache.forgetUser('u1');
    expect(await cache.canRead('p2', 'u1')).toBe(true);
  });

  it('says no, without remembering it, when the project service cannot answer', async () => {
    const projects = new ProjectReaders();
    projects.readers.set('p1', new Set(['u1']));
    const cache = new ReadAccessCache(projects, clockAt(0));
    projects.down = true;

    expect(await cache.canRead('p1', 'u1')).toBe(false);
    projects.down = false;
    expect(await cache.canRead('p1', 'u1')).toBe(true);
  });
});
