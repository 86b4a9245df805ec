import { describe, expect, it } from 'vitest';
import { databaseUrlFor } from './database-url.js';

describe('databaseUrlFor', () => {
  const shared = 'postgres://db.internal/meshwork';

  it("prefers the service's own variable, then DATABASE_URL", () => {
    const env = { DATABASE_URL: shared, PROJECT_DATABASE_URL: 'postgres://projects.internal/p' };

    expect(databaseUrlFor('project', env)).toBe('postgres://projects.internal/p');
    expect(databaseUrlFor('auth', env)).toBe(shared);
  });

  it('means embedded PGlite when neither is set or both are blank', () => {
    expect(databaseUrlFor('simulation', {})).toBeUndefined();
    expect(databaseUrlFor('simulation', { DATABASE_URL: ' ', SIMULATION_DATABASE_URL: '' })).toBeUndefined();
  });
});
