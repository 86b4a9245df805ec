import { describe, expect, it } from 'vitest';
import { unreachablePostgresError } from '../../test-support/unreachable-postgres.js';
import { problemForError } from '../http/problem-handlers.js';
import { dependencyOutage } from './dependency-outage.js';

describe('dependencyOutage', () => {
  it('reads an unreachable database as unavailable, and leaves other errors alone', async () => {
    const error = await unreachablePostgresError();
    expect(dependencyOutage(error)).toMatchObject({ kind: 'unavailable', code: 'dependency_unavailable' });
    expect(dependencyOutage(Object.assign(new Error('terminating connection'), { code: '57P01' }))?.kind).toBe('unavailable');
    expect(dependencyOutage(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeUndefined();
    expect(dependencyOutage(new TypeError('a bug'))).toBeUndefined();
  });

  it('turns it into 503 problem+json over HTTP', async () => {
    const { problem, fault } = problemForError(await unreachablePostgresError());
    expect(fault).toBe(false);
    expect(problem.status).toBe(503);
  });
});
