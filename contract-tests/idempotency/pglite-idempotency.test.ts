import { pgliteInMemory } from '../sql/sql-backends.js';
import { describeIdempotencyOnSql } from './sql-idempotency-suites.js';

describeIdempotencyOnSql(pgliteInMemory);
