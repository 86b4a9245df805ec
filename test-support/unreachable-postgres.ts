import pg from 'pg';
import { findFreePorts } from './free-ports.js';

/** An error from a PostgreSQL server that is not there, as a repository would see it. */
export const unreachablePostgresError = async (): Promise<unknown> => {
  const [port] = await findFreePorts(1);
  const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/none`, connectionTimeoutMillis: 2_000 });
  try {
    await pool.query('select 1');
  } catch (error) {
    return error;
  } finally {
    await pool.end();
  }
  throw new Error('expected the query to fail');
};
