import { sql, type Kysely } from 'kysely';
import type { DependencyProbe } from '../../core/discovery/dependency-watch.js';

/**
 * Whether the service's database answers: `SELECT 1` within `timeoutMs` (docs/adr/0057). A pool
 * whose connections all hang, or a PostgreSQL that refuses them, fails it.
 */
export const sqlDependencyProbe = <Tables>(db: Kysely<Tables>, timeoutMs = 2_000): DependencyProbe => ({
  name: 'database',
  check: async () => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to SELECT 1 within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([sql`SELECT 1`.execute(db), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  },
});
